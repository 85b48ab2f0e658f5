// A catalogue manager imports a procedure package through the admin pages and follows its
// progress page until the background job has applied it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited } from "../lib/audit.mjs";

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

async function login(page, username) {
  await signIn(page, server.url, username);
}

test("an import is checked, queued, shows its progress and ends with its report", async () => {
  const page = await newPage(browser);
  await login(page, "tinh.kstthc");
  // The catalogue as exported, with one procedure renamed: one amendment, the rest unchanged.
  const res = await page.request.get(`${server.url}/api/v1/procedures/export`);
  const pkg = await res.json();
  const entry = pkg.find((p) => p.MATTHC === "1.001193");
  entry.TENTTHC = "Thủ tục đăng ký khai sinh (sửa đổi thử)";

  await page.goto(`${server.url}/admin/procedures`);
  // A file that is not a package is refused on the spot.
  await page.locator("input[type=file][name=file]").setInputFiles({
    name: "ghi-chu.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("không phải gói thủ tục"),
  });
  await page.getByRole("button", { name: "Nhập", exact: true }).click();
  assert.match(await page.locator("#import-errors").innerText(), /Chỉ nhận tệp \.json/);

  await page.locator("input[type=file][name=file]").setInputFiles({
    name: "goi-thu-tuc.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(pkg)),
  });
  await page.getByRole("button", { name: "Nhập", exact: true }).click();
  await page.waitForURL(/\/admin\/procedures\/imports\/\d+$/);
  // The page reloads itself until the in-process worker has applied the file.
  await page.locator('#import-status[data-status="succeeded"]').waitFor({ timeout: 30_000 });
  assert.match(
    await page.locator("#import-report").innerText(),
    new RegExp(`Đã nhập ${pkg.length} thủ tục: 0 mới, 1 sửa đổi, ${pkg.length - 1} không thay đổi`),
  );

  // The public page shows the amendment as the version in force.
  await page.goto(`${server.url}/thu-tuc/1.001193`);
  assert.equal(await page.locator("h1").textContent(), "Thủ tục đăng ký khai sinh (sửa đổi thử)");
  await page.goto(`${server.url}/admin/procedures`);
  assert.match(await page.locator("#recent-imports").innerText(), /goi-thu-tuc\.json/);
  await page.context().close();
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("catalog-admin");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
