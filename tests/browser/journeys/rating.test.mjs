// A citizen rates how the dossier was handled on the counter's tablet: the desk opens the rating
// page for a returned dossier, the citizen taps the answers (no login, no keyboard), and the
// dossier page then shows the rating, which nobody can give twice.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited, snapshot } from "../lib/audit.mjs";

let server;
let browser;

before(async () => {
  // Some history, so returned dossiers wait to be rated.
  server = await startServer({ MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY: "25" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a rating at the counter with taps alone, then the link is spent", async () => {
  const desk = await signIn(await newPage(browser, { hasTouch: true, viewport: { width: 800, height: 1280 } }), server.url, "anphu.motcua");
  await desk.goto(`${server.url}/ho-so?queue=all`);
  // The demo's citizens have rated some returned dossiers already: take one still to be rated.
  const returned = await desk
    .locator("tbody tr", { hasText: "Đã trả kết quả" })
    .locator("a")
    .evaluateAll((links) => links.map((a) => a.href));
  let dossierUrl;
  for (const href of returned) {
    await desk.goto(href);
    if (await desk.locator("#rating-invite").count()) {
      dossierUrl = href;
      break;
    }
    assert.match(await desk.locator("#rating-summary").innerText(), /điểm/);
  }
  assert.ok(dossierUrl, `no returned dossier left to rate among ${returned.length}`);
  await desk.getByRole("button", { name: "Mời người nộp đánh giá tại quầy" }).tap();
  await desk.waitForURL(/\/danh-gia\/dg_[^?]+\?tai_quay=1$/);
  const ratingUrl = desk.url();
  // The citizen's page: no staff header, large choices, tapped one by one.
  assert.doesNotMatch(await desk.locator("header.site").innerText(), /Đăng xuất|anphu\.motcua/);
  const choices = desk.locator("fieldset.choices");
  const n = await choices.count();
  assert.equal(n, 11, "nine indicators and two questions");
  for (let i = 0; i < n; i++) {
    const first = choices.nth(i).locator("label.choice").first();
    const box = await first.boundingBox();
    assert.ok(box.height >= 44, `a touch target is ${box.height}px high`);
    await first.tap();
  }
  await snapshot(desk, "rating", "moment-counter-rating");
  await desk.getByRole("button", { name: "Gửi đánh giá" }).tap();
  await desk.waitForURL(/xong=1/);
  assert.match(await desk.locator("#rating-done").innerText(), /Cảm ơn ông\/bà đã đánh giá/);
  // Opened again, the link says it was used.
  await desk.goto(ratingUrl);
  assert.match(await desk.locator("#rating-closed").innerText(), /đã được đánh giá/);
  assert.equal(await desk.locator("form[action^='/danh-gia']").count(), 0);
  await desk.goto(dossierUrl);
  assert.match(await desk.locator("#rating-summary").innerText(), /Rất hài lòng · 18\/18 điểm \(Xuất sắc\) · tại quầy/);
  // The leader's dashboard shows the satisfaction of the year's ratings (the demo's and this one).
  const leader = await signIn(await newPage(browser), server.url, "anphu.lanhdao");
  await leader.goto(`${server.url}/thong-ke?agency=H99.301&period=2026`);
  const rates = await leader.locator("main").innerText();
  await leader.getByRole("link", { name: "Mức độ hài lòng" }).click();
  await leader.waitForURL(/\/bao-cao\/hai-long/);
  assert.match(await leader.locator("#satisfaction-total").innerText(), /hài lòng \(\d+\/\d+ lượt đánh giá\)/);
  assert.ok((await leader.locator("#by-officer tbody tr").count()) > 0);
  await leader.goBack();
  assert.match(rates, /Mức độ hài lòng\s*\n?\s*\d+,\d % \(\d+\/\d+ lượt\)|\d+,\d % \(\d+\/\d+ lượt\)\s*\n?\s*Mức độ hài lòng/);
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("rating");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
