// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // The desk's intake: the CCCD QR read as it is scanned, and the checklist of the chosen
  // procedure and case shown as soon as they are chosen.
  (function () {
    var form = document.getElementById("intake");
    if (!form) { return; }
    var qr = form.querySelector("[name=cccd_qr]");
    var preview = document.getElementById("qr-preview");
    var code = form.querySelector("[name=procedure_code]");
    function showQr() {
      var v = qr.value.trim();
      preview.textContent = "";
      if (!v) { preview.hidden = true; return; }
      preview.hidden = false;
      var p = v.split("|");
      if (p.length !== 6 && p.length !== 7) {
        preview.className = "qr-preview field-error";
        preview.textContent = "Mã QR chưa đọc đủ: cần 6 hoặc 7 trường, mới có " + p.length + ".";
        return;
      }
      preview.className = "qr-preview";
      var d = p[3];
      var born = /^\d{8}$/.test(d) ? d.slice(0, 2) + "/" + d.slice(2, 4) + "/" + d.slice(4) : d;
      var dl = document.createElement("dl");
      [["Đã đọc từ thẻ", ""], ["Họ và tên", p[2]], ["Số định danh", p[0]], ["Ngày sinh", born], ["Giới tính", p[4]], ["Nơi thường trú", p[5]]].forEach(function (f) {
        if (f[1] === "" && f[0] !== "Đã đọc từ thẻ") { return; }
        var dt = document.createElement("dt");
        dt.textContent = f[0];
        var dd = document.createElement("dd");
        dd.textContent = f[1];
        dl.appendChild(dt);
        dl.appendChild(dd);
      });
      preview.appendChild(dl);
    }
    qr.addEventListener("input", showQr);
    // A scanner ends with Enter: read the card and go on to the procedure, do not send the form.
    qr.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); showQr(); code.focus(); }
    });
    showQr();
    var pending = 0;
    function reload() {
      var c = form.querySelector("[name=case]");
      var params = new URLSearchParams({
        thu_tuc: code.value.trim(),
        "case": c && c.tagName === "SELECT" ? c.value : "",
        channel: form.querySelector("[name=channel]").value
      });
      var mine = ++pending;
      fetch("/ho-so/tiep-nhan?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (!html || mine !== pending) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          ["case-field", "checklist"].forEach(function (id) {
            var fresh = doc.getElementById(id);
            var old = document.getElementById(id);
            if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
          });
        });
    }
    // The procedure field finds procedures by name, with or without marks, as the public search
    // does: a list under the field, chosen with the arrows and Enter or a click.
    var list = document.getElementById("procedure-options");
    var active = -1;
    var found = [];
    var asked = 0;
    var timer;
    function close() {
      list.hidden = true;
      list.textContent = "";
      code.setAttribute("aria-expanded", "false");
      code.removeAttribute("aria-activedescendant");
      active = -1;
      found = [];
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0) { code.setAttribute("aria-activedescendant", "procedure-option-" + i); }
    }
    function choose(i) {
      if (!found[i]) { return; }
      code.value = found[i].code;
      close();
      reload();
      var next = form.querySelector("[name=full_name]");
      if (next) { next.focus(); }
    }
    function lookup() {
      var q = code.value.trim();
      if (q.length < 2 || /^\d+\.\d+/.test(q)) { close(); return; }
      var mine = ++asked;
      fetch("/api/v1/procedures?per_page=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) {
          if (mine !== asked) { return; }
          close();
          found = page.items || [];
          if (!found.length) { return; }
          found.forEach(function (p, i) {
            var li = document.createElement("li");
            li.id = "procedure-option-" + i;
            li.setAttribute("role", "option");
            li.textContent = p.name + " (" + p.code + ")";
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
            list.appendChild(li);
          });
          list.hidden = false;
          code.setAttribute("aria-expanded", "true");
          mark(0);
        });
    }
    code.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 120); });
    code.addEventListener("blur", function () { setTimeout(close, 150); });
    code.addEventListener("change", function () { if (list.hidden) { reload(); } });
    code.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && found.length) { e.preventDefault(); mark(Math.min(active + 1, found.length - 1)); }
      else if (e.key === "ArrowUp" && found.length) { e.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter") {
        e.preventDefault();
        if (!list.hidden && found.length) { choose(Math.max(active, 0)); } else { reload(); }
      }
    });
    form.addEventListener("change", function (e) {
      if (e.target.name === "case" || e.target.name === "channel") { reload(); }
    });
    if (code.value.trim() && !form.querySelector("[name=doc_name]")) { reload(); }
  })();
  var kiosk = document.querySelector("[data-kiosk]");
  if (!kiosk) { return; }
  // Back to the start page after a period without touches.
  var idle = parseInt(kiosk.getAttribute("data-idle") || "120", 10) * 1000;
  var timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.href = "/kiosk"; }, idle);
  }
  ["click", "touchstart", "keydown", "input"].forEach(function (e) { document.addEventListener(e, reset, { passive: true }); });
  reset();
  // The on-screen keyboard types into the field instead of reloading the page per key.
  var input = document.querySelector("[data-kiosk-input]");
  document.querySelectorAll("[data-key]").forEach(function (k) {
    k.addEventListener("click", function (ev) {
      if (!input) { return; }
      ev.preventDefault();
      var key = k.getAttribute("data-key");
      if (key === "back") { input.value = input.value.slice(0, -1); }
      else if (key === "clear") { input.value = ""; }
      else if (key === "space") { input.value += " "; }
      else { input.value += key; }
      input.focus();
    });
  });
})();
