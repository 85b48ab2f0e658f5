// The one-stop desk receives a dossier by scanning the applicant's chip ID card, then the
// specialist and the leader move it along their steps; anyone can track it by its code.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited, snapshot } from "../lib/audit.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username) {
  return signIn(await newPage(browser), server.url, username);
}

const QR = "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021";

/// Takes one of the actions the dossier page offers first, with its opinion when it asks one.
async function act(page, action, opinion) {
  const form = page.locator(`#next-actions form[data-action=${action}]`);
  if (opinion) await form.locator("textarea[name=reason]").fill(opinion);
  await form.locator("button[type=submit]").click();
  await page.waitForURL(new RegExp(`msg=done_${action}`));
}

/// The labels of the buttons the dossier page puts first.
async function primary(page) {
  return page.locator("#next-actions .next-actions button[type=submit]").allInnerTexts();
}

test("desk intake with a CCCD QR, then specialist and leader steps", async () => {
  const desk = await login("anphu.motcua");
  await desk.goto(`${server.url}/ho-so`);
  await desk.getByRole("link", { name: "Tiếp nhận hồ sơ mới" }).click();
  await desk.waitForURL(/\/ho-so\/tiep-nhan$/);
  // The QR field has the focus: a keyboard-emulating scanner types straight into it. (Chromium
  // applies autofocus at its next rendering update, which may come after the load event.)
  await desk.locator("input[name=cccd_qr]:focus").waitFor();
  // Vietnamese in code-like fields uses the text face (monospace faces break its stacked marks).
  const faces = await desk.evaluate(() => [getComputedStyle(document.querySelector("input[name=cccd_qr]")).fontFamily, getComputedStyle(document.body).fontFamily]);
  assert.equal(faces[0], faces[1]);
  // The scanner types the QR and ends with Enter: the card is read at once, nothing is sent
  // and the cursor goes on to the procedure.
  await desk.keyboard.type(QR);
  await desk.keyboard.press("Enter");
  assert.match(desk.url(), /\/ho-so\/tiep-nhan$/);
  const preview = await desk.locator("#qr-preview").innerText();
  assert.match(preview, /Võ Việt Dũng/);
  assert.match(preview, /30\/07\/2001/);
  await desk.locator("input[name=procedure_code]:focus").waitFor();
  // The procedure is found by its name typed without marks, and chosen with Enter.
  await desk.keyboard.type("dang ky khai sinh");
  await desk.locator("#procedure-options li", { hasText: "1.001193" }).first().waitFor();
  assert.match(await desk.locator("#procedure-options li[aria-selected=true]").innerText(), /Thủ tục đăng ký khai sinh \(1\.001193\)/);
  await desk.keyboard.press("Enter");
  assert.equal(await desk.locator("input[name=procedure_code]").inputValue(), "1.001193");
  // The checklist of the procedure's case appears by itself; papers asked for only in some
  // situations (an abandoned child, a power of attorney) are not ticked.
  const abandoned = desk.locator("#checklist tr", { hasText: "bị bỏ rơi" });
  await abandoned.waitFor();
  assert.equal(await abandoned.locator("input[name=doc_given]").isChecked(), false);
  assert.equal(await desk.locator("#checklist tr", { hasText: "ủy quyền" }).locator("input[name=doc_given]").isChecked(), false);
  assert.equal(await desk.locator("#checklist tr", { hasText: "Tờ khai" }).locator("input[name=doc_given]").isChecked(), true);
  await snapshot(desk, "dossier", "moment-intake");
  // One pointer action records it, a second opens the receipt.
  await desk.getByRole("button", { name: "Ghi nhận hồ sơ" }).click();
  await desk.waitForLoadState();
  assert.equal(await desk.locator("p.error").count(), 0, await desk.locator("main").innerText());
  await desk.waitForURL(/\/ho-so\/H99\.301-\d{6}-0001\?msg=dossier_received/);
  const code = new URL(desk.url()).pathname.split("/").pop();
  const facts = await desk.locator("dl.facts").innerText();
  assert.match(facts, /Võ Việt Dũng/);
  assert.match(facts, /046201000152/);
  assert.match(facts, /Được tiếp nhận/);
  assert.match(facts, /Hẹn trả/);
  const papers = await desk.locator("#documents").innerText();
  assert.match(papers, /Tờ khai đăng ký khai sinh/);
  assert.doesNotMatch(papers, /bị bỏ rơi|ủy quyền/, "the receipt lists only what was handed in");
  const [receipt] = await Promise.all([desk.context().waitForEvent("page"), desk.locator("a[data-form='01']").click()]);
  await receipt.waitForLoadState();
  assert.match(receipt.url(), /\/mau\/01$/);
  await receipt.close();
  assert.deepEqual(await primary(desk), ["Chuyển bước tiếp theo"]);
  await act(desk, "forward");
  assert.match(await desk.locator(".flash").innerText(), /Đã chuyển hồ sơ sang bước tiếp theo/);
  assert.match(await desk.locator("dl.facts").innerText(), /Đang xử lý/);

  const specialist = await login("anphu.chuyenvien");
  await specialist.goto(`${server.url}/ho-so`);
  await specialist.getByRole("link", { name: code }).click();
  // The specialist hands the appraised draft on with the appraisal's opinion, to a leader
  // chosen from those who can approve (with how many dossiers each holds).
  const forward = specialist.locator("#next-actions form[data-action=forward]");
  assert.match(await forward.innerText(), /Ý kiến thẩm định/);
  const choices = await forward.locator("select[name=assignee] option").allInnerTexts();
  assert.ok(choices.some((c) => /anphu\.lanhdao\) — (chưa giữ hồ sơ nào|đang giữ \d+ hồ sơ)/.test(c)), choices.join(" | "));
  await forward.locator("select[name=assignee]").selectOption("anphu.lanhdao");
  await act(specialist, "forward", "Hồ sơ đủ điều kiện, đề nghị lãnh đạo phê duyệt.");

  const leader = await login("anphu.lanhdao");
  await leader.goto(`${server.url}/ho-so?queue=to_process`);
  await leader.getByRole("link", { name: code }).click();
  // The leader's page puts approval first; refusing to approve is in the other actions, on a
  // page of its own that asks for the reason and a confirmation.
  assert.deepEqual(await primary(leader), ["Phê duyệt"]);
  await leader.locator("#next-actions textarea[name=reason]").fill("Đồng ý cấp giấy khai sinh.");
  await snapshot(leader, "dossier", "moment-leader-dossier");
  await leader.goto(`${server.url}/app`);
  await snapshot(leader, "dossier", "moment-leader-landing");
  await leader.goBack();
  await leader.locator("#more-actions summary").click();
  await leader.locator("#more-actions a[data-action=reject]").click();
  await leader.waitForURL(/\/thao-tac\/reject$/);
  assert.equal(await leader.locator("form[data-action=reject] textarea[name=reason]").getAttribute("required"), "");
  assert.equal(await leader.locator("form[data-action=reject] input[name=confirm]").getAttribute("required"), "");
  await leader.getByRole("link", { name: "Quay lại hồ sơ" }).click();
  await act(leader, "approve", "Đồng ý cấp giấy khai sinh.");
  assert.match(await leader.locator(".flash").innerText(), /Đã phê duyệt hồ sơ/);
  const sheet = await leader.locator("table").filter({ hasText: "Kết quả bước" }).innerText();
  assert.match(sheet, /Phê duyệt/);
  assert.match(sheet, /Hồ sơ đủ điều kiện, đề nghị lãnh đạo phê duyệt\./, "the appraisal's opinion is on the control sheet");
  assert.match(sheet, /Đồng ý cấp giấy khai sinh\./, "and so is the approval's");
  assert.match(await leader.locator("tr.current").innerText(), /Ban hành kết quả/);

  // The public page of the receipt's QR code shows the progress with the name masked.
  const visitor = await newPage(browser);
  await visitor.goto(`${server.url}/tra-cuu?ma=${code}`);
  const pub = await visitor.locator("main").innerText();
  assert.match(pub, /V\* V\*\*\* D\*\*\*/);
  assert.doesNotMatch(pub, /Võ Việt Dũng|046201000152/);
  assert.match(pub, /Đang xử lý/);
});

test("the desk receives a dossier with the keyboard alone: scan, name the procedure, Enter", async () => {
  const desk = await login("anphu.motcua");
  await desk.goto(`${server.url}/ho-so/tiep-nhan`);
  await desk.locator("input[name=cccd_qr]:focus").waitFor();
  await desk.keyboard.type("001203004567||Nguyễn Văn An|05031985|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021");
  await desk.keyboard.press("Enter");
  await desk.keyboard.type("khai sinh");
  await desk.locator("#procedure-options li").first().waitFor();
  await desk.keyboard.press("ArrowDown");
  await desk.keyboard.press("ArrowUp");
  await desk.keyboard.press("Enter");
  // The checklist has come; Enter in the next field sends the form.
  await desk.locator("#checklist input[name=doc_given]").first().waitFor();
  await desk.locator("input[name=full_name]:focus").waitFor();
  await desk.keyboard.press("Enter");
  await desk.waitForURL(/msg=dossier_received/);
  assert.match(await desk.locator("dl.facts").innerText(), /Nguyễn Văn An/);
  // And the receipt is one Tab-and-Enter away from the dossier page's printed forms.
  await desk.locator("a[data-form='01']").focus();
  const [receipt] = await Promise.all([desk.context().waitForEvent("page"), desk.keyboard.press("Enter")]);
  await receipt.waitForLoadState();
  assert.match(receipt.url(), /\/mau\/01$/);
});

test("a procedure typed by name without JavaScript is picked from a list, nothing else lost", async () => {
  const desk = await signIn(await newPage(browser, { javaScriptEnabled: false }), server.url, "anphu.motcua");
  await desk.goto(`${server.url}/ho-so/tiep-nhan`);
  await desk.locator("input[name=cccd_qr]").fill(QR);
  await desk.locator("input[name=procedure_code]").fill("dang ky khai tu");
  await desk.getByRole("button", { name: "Tải thành phần hồ sơ" }).click();
  await desk.locator("#procedure-matches button", { hasText: "1.000656" }).click();
  assert.equal(await desk.locator("input[name=procedure_code]").inputValue(), "1.000656");
  assert.equal(await desk.locator("input[name=cccd_qr]").inputValue(), QR);
  assert.ok((await desk.locator("#checklist input[name=doc_name]").count()) > 0);
});

test("a malformed QR is refused with its reason and nothing is recorded", async () => {
  const desk = await login("anphu.motcua");
  await desk.goto(`${server.url}/ho-so/tiep-nhan`);
  await desk.locator("input[name=cccd_qr]:focus").waitFor();
  await desk.keyboard.type("046201000152|Võ Việt Dũng");
  await desk.locator("input[name=procedure_code]").fill("1.001193");
  await desk.getByRole("button", { name: "Ghi nhận hồ sơ" }).click();
  assert.match(await desk.locator(".field-error").first().innerText(), /6 hoặc 7 trường/);
});

test("the staff menu is one row at 1280 px, the administration behind one entry", async () => {
  for (const user of ["anphu.motcua", "admin"]) {
    const page = await login(user);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/app`);
    const nav = await page.locator("header.site nav").boundingBox();
    assert.ok(nav.height < 48, `${user}: the menu is ${nav.height}px high`);
    await page.locator("header.site .menu summary").click();
    await page.locator("header.site .menu a[href='/admin/calendar']").click();
    await page.waitForURL(/\/admin\/calendar/);
  }
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("dossier");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
