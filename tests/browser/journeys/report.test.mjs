// A leader reads the month's Biểu 06, opens a number and lands on the dossiers counted in it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited } from "../lib/audit.mjs";

let server;
let browser;

before(async () => {
  // A little history, so the report has numbers in several columns.
  server = await startServer({ MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY: "25" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username, options) {
  return signIn(await newPage(browser, options), server.url, username);
}

const QR = "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021";

test("a leader opens the report and the dossiers behind a number", async () => {
  // The desk receives a dossier: the report has something to count.
  const desk = await login("anphu.motcua");
  await desk.goto(`${server.url}/ho-so/tiep-nhan`);
  await desk.locator("input[name=cccd_qr]:focus").waitFor();
  await desk.keyboard.type(QR);
  await desk.locator("input[name=procedure_code]").fill("1.001193");
  await desk.getByRole("button", { name: "Ghi nhận hồ sơ" }).click();
  await desk.waitForURL(/\/ho-so\/H99\.301-\d{6}-\d{4}\?msg=dossier_received/);
  const code = new URL(desk.url()).pathname.split("/").pop();

  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    const leader = await login("anphu.lanhdao", { viewport });
    await leader.getByRole("link", { name: "Báo cáo", exact: true }).click();
    await leader.waitForURL(/\/bao-cao$/);
    assert.match(await leader.locator("section.report").innerText(), /Biểu số 06\/VPCP\/KSTT/);
    // The page never overflows a phone's width; the wide table scrolls in its own box.
    const overflow = await leader.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
    const total = leader.locator("table.report06 tbody tr").last();
    assert.match(await total.innerText(), /Tổng cộng/);
    // Column (3), the total received, of the total row: as many dossiers as the number says.
    const received = total.locator("td.num a").first();
    const count = Number((await received.innerText()).trim());
    assert.ok(count >= 1 && count <= 50, `total received ${count}`);
    await received.click();
    await leader.waitForURL(/\/bao-cao\/ho-so\?.*column=3/);
    assert.match(await leader.locator("h1").innerText(), /Số hồ sơ nhận giải quyết: Tổng số/);
    assert.equal(await leader.locator("main table tbody tr").count(), count);
    await leader.getByRole("link", { name: code }).click();
    await leader.waitForURL(new RegExp(`/ho-so/${code.replaceAll(".", "\\.")}$`));
    assert.match(await leader.locator("dl.facts").innerText(), /Võ Việt Dũng/);
    await leader.context().close();
  }
});

test("a leader opens the dashboard, clicks a number and a bar, and lands on the dossiers behind them", async () => {
  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    const leader = await login("anphu.lanhdao", { viewport });
    // The home page shows today's figures and leads to the dashboard.
    assert.match(await leader.locator("main").innerText(), /Hôm nay/);
    await leader.getByRole("link", { name: "Thống kê", exact: true }).click();
    await leader.waitForURL(/\/thong-ke$/);
    assert.match(await leader.locator("h1").innerText(), /Thống kê, theo dõi giải quyết hồ sơ/);
    const overflow = await leader.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
    assert.ok((await leader.locator("figure.chart svg").count()) >= 2, "charts drawn on the server");
    // The whole year, so the small demo history has numbers everywhere.
    await leader.locator("input[name=period]").fill("2026");
    await leader.getByRole("button", { name: "Xem", exact: true }).click();
    await leader.waitForURL(/\/thong-ke\?.*period=2026/);
    assert.match(await leader.locator("main").innerText(), /Năm 2026/i);
    // The period's "Tiếp nhận": as many dossiers behind it as it says (one page of 50 at most).
    const card = leader.locator("#trong-ky a.card.stat").first();
    assert.match(await card.innerText(), /Tiếp nhận/);
    const count = Number((await card.locator("strong").innerText()).trim());
    assert.ok(count >= 1, `received ${count}`);
    await card.click();
    await leader.waitForURL(/\/bao-cao\/ho-so\?.*measure=received/);
    assert.match(await leader.locator("h1").innerText(), /Tiếp nhận trong kỳ/);
    assert.equal(await leader.locator("main table tbody tr").count(), Math.min(count, 50));
    // A bar of the field chart opens the dossiers it counts.
    await leader.goBack();
    const bar = leader.locator("figure.chart svg a").first();
    const tip = await bar.locator("title").textContent();
    const n = Number(tip.split(":").pop().trim());
    await bar.click();
    await leader.waitForURL(/\/bao-cao\/ho-so\?.*measure=/);
    assert.equal(await leader.locator("main table tbody tr").count(), Math.min(n, 50), tip);
    await leader.context().close();
  }
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("report");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
