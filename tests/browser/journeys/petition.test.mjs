// Petitions (phản ánh, kiến nghị): a citizen sends one from the public form with a photo and
// is given its code; the desk finds it among the new ones and asks for more information (the
// answer clock stops); anyone reads a published answer, without who asked, likes it once and
// raises it again; the commune's administrator words what petitioners are told.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited, snapshot } from "../lib/audit.mjs";

let server;
let browser;
let code;

// A 1×1 PNG: a photo of the notice board, as far as the server can tell.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a citizen sends a petition with a photo and is given its code", async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(`${server.url}/phan-anh`);
  await page.getByRole("link", { name: "Gửi phản ánh, kiến nghị" }).first().click();
  await page.waitForURL(/\/phan-anh\/gui$/);
  await page.getByLabel("Gửi tới cơ quan").selectOption({ label: "Ủy ban nhân dân xã An Phú" });
  await page.getByLabel("Về quy định hành chính, thủ tục hành chính").check();
  await page.getByLabel("Tiêu đề").fill("Niêm yết thiếu lệ phí chứng thực");
  await page.getByLabel("Nội dung").fill("Bảng niêm yết tại Bộ phận Một cửa không ghi lệ phí chứng thực bản sao.\nĐề nghị bổ sung.");
  await page.getByLabel("Họ và tên").fill("Trần Thị Bình");
  await page.getByLabel("Địa chỉ", { exact: false }).first().fill("Thôn 3, xã An Phú");
  await page.getByLabel("Số điện thoại").fill("0912345678");
  await page.getByLabel("Qua tin nhắn điện thoại").check();
  await page.locator("input[type=file][name=files]").setInputFiles({ name: "bang-niem-yet.png", mimeType: "image/png", buffer: PNG });
  await snapshot(page, "petition", "moment-public-form");
  await page.getByRole("button", { name: "Gửi phản ánh, kiến nghị" }).click();
  await page.waitForURL(/\/phan-anh\/H99\.301-PA\d{6}-\d{4,}\?moi=1$/);
  code = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  const receipt = await page.locator("#petition-receipt").innerText();
  assert.match(receipt, new RegExp(`Mã tra cứu: ${code.replace(/\./g, "\\.")}`));
  assert.match(receipt, /hạn trả lời chậm nhất: \d\d:\d\d \d\d\/\d\d\/\d{4}/);
  assert.doesNotMatch(await page.locator("main").innerText(), /Trần Thị Bình|0912345678/);
  // Found again by its code from the answers page.
  await page.goto(`${server.url}/phan-anh`);
  await page.getByLabel("Tra cứu theo mã phản ánh, kiến nghị").fill(code.toLowerCase());
  await page.getByRole("button", { name: "Tra cứu" }).click();
  await page.waitForURL(new RegExp(`/phan-anh/${code.replace(/\./g, "\\.")}$`));
  assert.match(await page.locator("#petition-stage").innerText(), /Đã tiếp nhận/);
  await page.context().close();
});

test("the desk finds it among the new ones and asks for more information; the clock stops", async () => {
  const desk = await signIn(await newPage(browser), server.url, "anphu.motcua");
  await desk.getByRole("link", { name: "Phản ánh, kiến nghị" }).first().click();
  await desk.getByRole("link", { name: /Mới tiếp nhận/ }).click();
  await desk.getByRole("link", { name: code }).click();
  assert.match(await desk.locator("#petitioner").innerText(), /Trần Thị Bình/);
  assert.match(await desk.locator("#attachments").innerText(), /bang-niem-yet\.png/);
  const form = desk.locator("#action-request_info");
  await form.getByLabel("Nội dung đề nghị bổ sung").fill("Đề nghị bà cho biết ngày chụp ảnh bảng niêm yết.");
  await form.getByRole("button", { name: "Đề nghị bổ sung thông tin" }).click();
  await desk.waitForURL(/msg=petition_request_info/);
  assert.match(await desk.locator(".flash").innerText(), /thời hạn trả lời tạm dừng/);
  assert.match(await desk.locator("#answer-due").innerText(), /tạm dừng/);
  assert.match(await desk.locator("#stage").innerText(), /Chờ bổ sung thông tin/);
  // On a phone the page, its action forms and their long agency lists fit the width.
  await desk.setViewportSize({ width: 390, height: 844 });
  await desk.goto(`${server.url}/phan-anh-kien-nghi?queue=received`);
  await desk.locator("#petitions a").first().click();
  await desk.locator("#action-forward").waitFor();
  const overflow = await desk.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the petition page is ${overflow}px wider than the phone`);
  await desk.context().close();
});

test("anyone reads a published answer without who asked, likes it once and raises it again", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/phan-anh`);
  await page.getByLabel("Tìm trong các trả lời (không cần dấu)").fill("so ho khau");
  await page.getByRole("button", { name: "Tìm", exact: true }).click();
  await page.locator("#answers a").first().click();
  const answer = await page.locator("#answer").innerText();
  assert.match(answer, /Luật Cư trú/);
  assert.doesNotMatch(answer, /Nguyễn Thị Hoa|Thôn 2/);
  await page.getByRole("button", { name: /^Hài lòng/ }).click();
  await page.waitForURL(/binh_chon=ok/);
  assert.match(await page.locator("#binh-chon").innerText(), /Cảm ơn/);
  await page.getByRole("button", { name: /^Không hài lòng/ }).click();
  await page.waitForURL(/binh_chon=da_co/);
  assert.match(await page.locator("#binh-chon").innerText(), /mỗi trình duyệt bình chọn một lần/);
  await page.getByRole("link", { name: "Nêu lại phản ánh, kiến nghị này" }).click();
  await page.waitForURL(/\/phan-anh\/gui\?neu_lai=/);
  assert.match(await page.locator("#reraise").innerText(), /Nêu lại phản ánh, kiến nghị đã trả lời/);
  assert.match(await page.getByLabel("Tiêu đề").inputValue(), /^Nêu lại: /);
  await page.context().close();
});

test("the commune's administrator words the notice of an answer and sees it previewed", async () => {
  const admin = await signIn(await newPage(browser), server.url, "anphu.admin");
  await admin.goto(`${server.url}/admin/agencies`);
  await admin.getByRole("link", { name: "Ủy ban nhân dân xã An Phú" }).first().click();
  await admin.getByRole("link", { name: "Thông báo cho người dân" }).click();
  await admin.getByRole("link", { name: "Sửa mẫu «Đã có trả lời»" }).click();
  await admin.getByLabel("Tiêu đề thư (một dòng)").fill("Xã An Phú trả lời phản ánh {{ ma }}");
  await admin.getByRole("button", { name: /^Lưu mẫu cho/ }).click();
  assert.match(await admin.locator("main").innerText(), /Mẫu không hợp lệ/);
  await admin.getByLabel("Tiêu đề thư (một dòng)").fill("Xã An Phú trả lời phản ánh {{ code }}");
  await admin.getByRole("button", { name: /^Lưu mẫu cho/ }).click();
  await admin.waitForURL(/msg=notice_template_saved/);
  assert.match(await admin.locator("#notice-templates").innerText(), /Mẫu riêng \(phiên bản 1\)/);
  await admin.getByRole("link", { name: "Sửa mẫu «Đã có trả lời»" }).click();
  assert.match(await admin.locator("#preview").innerText(), /Xã An Phú trả lời phản ánh H99\.301-/);
  await admin.context().close();
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("petition");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
