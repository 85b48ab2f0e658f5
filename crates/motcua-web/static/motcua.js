// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
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
