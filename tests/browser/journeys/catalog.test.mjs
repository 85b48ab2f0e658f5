// The public catalogue and the lobby kiosk, as a citizen uses them in a real browser.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage } from "../lib/browser.mjs";
import { auditVisited } from "../lib/audit.mjs";

const BIRTH = "Thủ tục đăng ký khai sinh";
const IDLE_SECONDS = 3;

let server;
let browser;

before(async () => {
  server = await startServer({ MOTCUA_SERVER_KIOSK_IDLE_SECONDS: String(IDLE_SECONDS) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function firstResult(page) {
  return (await page.locator("table.results tbody tr").first().locator("td").nth(1).locator("a").textContent()).trim();
}

describe("public catalogue /thu-tuc", () => {
  test("search without diacritics lists the birth registration first and its page shows documents, fees and time", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/thu-tuc`);
    assert.equal(await page.locator("h1").textContent(), "Thủ tục hành chính");
    await page.locator("#q").fill("dang ky khai sinh");
    await page.locator("#q").press("Enter");
    await page.waitForURL(/q=dang/);
    assert.equal(await firstResult(page), BIRTH);
    assert.match(await page.locator("#result-count").textContent(), /Tìm thấy \d+ thủ tục/);

    await page.getByRole("link", { name: BIRTH, exact: true }).click();
    await page.waitForURL(/\/thu-tuc\/1\.001193$/);
    assert.equal(await page.locator("h1").textContent(), BIRTH);
    const text = await page.locator("article.procedure").innerText();
    assert.match(text, /Mã thủ tục: 1\.001193/);
    assert.match(text, /Tờ khai đăng ký khai sinh theo mẫu/);
    assert.match(text, /Giấy chứng sinh/);
    assert.match(text, /Lệ phí đăng ký khai sinh — Miễn phí/);
    assert.match(text, /Trong ngày \(hồ sơ nhận sau 15:00 trả trong ngày làm việc tiếp theo\)/);
    assert.match(text, /Ủy ban nhân dân xã An Phú/);
    assert.match(text, /123\/2015\/NĐ-CP/);
    // The print button is an enhancement: hidden in the HTML, shown by the script.
    assert.equal(await page.locator("[data-print]").isVisible(), true);
    await page.context().close();
  });

  test("on a 390 px phone the filters fit and the results are cards, not a squeezed table", async () => {
    const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/thu-tuc?q=${encodeURIComponent("khai sinh")}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide`);
    // The column heads are kept for screen readers only (each card labels its values).
    assert.ok((await page.locator("table.results thead").boundingBox()).height <= 1);
    const rows = page.locator("table.results tbody tr");
    const n = await rows.count();
    assert.ok(n >= 2, `${n} results`);
    for (let i = 0; i < n; i++) {
      const box = await rows.nth(i).boundingBox();
      assert.ok(box.width > 300, `card ${i} is ${box.width}px wide`);
      assert.ok(box.height < 320, `card ${i} is ${box.height}px high`);
    }
    const label = await rows.first().locator("td[data-label='Lĩnh vực']").evaluate((td) => getComputedStyle(td, "::before").content);
    assert.match(label, /Lĩnh vực: /, "each value says what it is");
    await page.context().close();
  });

  test("accented and decomposed-Unicode queries find the same procedure first", async () => {
    const page = await newPage(browser);
    for (const q of ["đăng ký khai sinh", "đăng ký khai sinh".normalize("NFD"), "ĐĂNG KÝ KHAI SINH"]) {
      await page.goto(`${server.url}/thu-tuc`);
      await page.locator("#q").fill(q);
      await page.locator("button", { hasText: "Tìm kiếm" }).click();
      await page.waitForURL(/q=/);
      assert.equal(await firstResult(page), BIRTH, `query ${JSON.stringify(q)}`);
    }
    await page.context().close();
  });

  test("a short query with a typo still finds the procedure", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/thu-tuc?q=${encodeURIComponent("khai sihn")}`);
    const names = await page.locator("table.results tbody tr td:nth-child(2) a").allTextContents();
    assert.ok(names.some((n) => n.trim() === BIRTH), `results: ${names.join(" | ")}`);
    await page.context().close();
  });

  test("i/y spellings, a typo in a short syllable and glued syllables find it, with a suggestion", async () => {
    const page = await newPage(browser);
    for (const q of ["đăng kí khai sinh", "dang ki khai sinh", "khai snh", "khaisinh"]) {
      await page.goto(`${server.url}/thu-tuc?q=${encodeURIComponent(q)}`);
      const names = await page.locator("table.results tbody tr td:nth-child(2) a").allTextContents();
      assert.ok(names.some((n) => n.trim() === BIRTH), `${q}: ${names.join(" | ")}`);
    }
    assert.equal(await firstResult(page), BIRTH);
    // "khaisinh" was read as two syllables: the page says so and links the corrected search.
    assert.match(await page.locator("#suggestion").innerText(), /Có phải bạn muốn tìm khai sinh\?/);
    await page.locator("#suggestion a").click();
    await page.waitForURL(/q=khai\+sinh/);
    assert.equal(await page.locator("#suggestion").count(), 0);
    await page.goto(`${server.url}/thu-tuc?q=${encodeURIComponent("dang ki khai sinh")}`);
    assert.equal(await page.locator("#suggestion").count(), 0, "an i/y spelling is not a mistake");
    await page.context().close();
  });

  test("browsing by field and filtering by level narrow the list", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/thu-tuc`);
    await page.locator("ul.field-list a", { hasText: "Hộ tịch" }).click();
    await page.waitForURL(/field=/);
    const fields = await page.locator("table.results tbody tr td:nth-child(3)").allTextContents();
    assert.ok(fields.length > 0);
    assert.ok(fields.every((f) => f.trim() === "Hộ tịch"), `fields: ${fields.join(", ")}`);
    const all = Number((await page.locator("#result-count").textContent()).match(/\d+/)[0]);

    await page.locator("select[name=level]").selectOption({ label: "Cấp tỉnh" });
    await page.locator("button", { hasText: "Tìm kiếm" }).click();
    await page.waitForURL(/level=/);
    const province = Number((await page.locator("#result-count").textContent()).match(/\d+/)[0]);
    assert.ok(province < all, `province-level ${province} of ${all}`);
    await page.context().close();
  });

  test("the catalogue works with JavaScript turned off", async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.goto(`${server.url}/thu-tuc`);
    await page.locator("#q").fill("dang ky khai sinh");
    await page.locator("#q").press("Enter");
    await page.waitForURL(/q=dang/);
    assert.equal(await firstResult(page), BIRTH);
    await page.context().close();
  });
});

describe("lobby kiosk /kiosk", () => {
  async function tap(page, text) {
    for (const ch of text) {
      const key = ch === " " ? "space" : ch;
      await page.locator(`.keyboard button[data-key="${key}"]`).click();
    }
  }

  test("typing on the on-screen keyboard finds the procedure and opens it in kiosk type", async () => {
    const page = await newPage(browser, { viewport: { width: 1080, height: 1920 }, hasTouch: true });
    await page.goto(`${server.url}/kiosk`);
    // Nothing on a lobby screen leads to the officials' login.
    assert.equal(await page.locator('a[href*="login"]').count(), 0);
    // Touch targets are large enough for a finger (at least 48 CSS pixels).
    for (const b of await page.locator(".keyboard button").all()) {
      const box = await b.boundingBox();
      assert.ok(box.height >= 48 && box.width >= 48, `key ${await b.textContent()} is ${box.width}×${box.height}`);
    }
    // Every key's label can be read: WCAG AA contrast (4.5:1) between its text and its face.
    const contrasts = await page.locator(".keyboard button").evaluateAll((keys) => {
      const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
      const lum = (c) => {
        const [r, g, b] = rgb(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      return keys.map((k) => {
        const st = getComputedStyle(k);
        const [a, b] = [lum(st.color), lum(st.backgroundColor)].sort((x, y) => y - x);
        return [k.textContent.trim(), (a + 0.05) / (b + 0.05)];
      });
    });
    for (const [key, ratio] of contrasts) {
      assert.ok(ratio >= 4.5, `key ${key}: contrast ${ratio.toFixed(2)}:1`);
    }
    await tap(page, "dang ky khai sinh");
    assert.equal(await page.locator("[data-kiosk-input]").inputValue(), "dang ky khai sinh");
    await page.locator(".keyboard button[data-key=back]").click();
    await tap(page, "h");
    await page.locator("button.kiosk-go").click();
    await page.waitForURL(/\/kiosk\?/);
    const first = page.locator(".kiosk-results li a").first();
    assert.equal((await first.locator("span").textContent()).trim(), BIRTH);
    await first.click();
    await page.waitForURL(/\/kiosk\/thu-tuc\/1\.001193$/);
    assert.equal(await page.locator("h1").textContent(), BIRTH);
    assert.match(await page.locator("main").innerText(), /Thành phần hồ sơ/);
    assert.equal(await page.locator('a[href*="login"]').count(), 0);
    await page.context().close();
  });

  test("the kiosk returns to its start page after the idle time, but not while someone is touching it", async () => {
    const page = await newPage(browser, { hasTouch: true });
    await page.goto(`${server.url}/kiosk/thu-tuc/1.001193`);
    // Activity keeps the page: touch every second for longer than the idle time.
    for (let i = 0; i < IDLE_SECONDS + 2; i++) {
      await page.waitForTimeout(1000);
      await page.locator("h1").click();
    }
    assert.match(page.url(), /\/kiosk\/thu-tuc\/1\.001193$/);
    // Then leave it alone.
    await page.waitForURL(`${server.url}/kiosk`, { timeout: (IDLE_SECONDS + 5) * 1000 });
    await page.context().close();
  });

  test("without JavaScript every key submits the form and the query builds up", async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.goto(`${server.url}/kiosk`);
    for (const ch of "khai sinh") {
      const key = ch === " " ? "space" : ch;
      await Promise.all([page.waitForURL(/key=/), page.locator(`.keyboard button[data-key="${key}"]`).click()]);
    }
    assert.equal(await page.locator("[data-kiosk-input]").inputValue(), "khai sinh");
    await page.locator("button.kiosk-go").click();
    await page.waitForURL((u) => !u.search.includes("key="));
    const names = await page.locator(".kiosk-results li a span").allTextContents();
    assert.ok(names.some((n) => n.trim() === BIRTH), `results: ${names.join(" | ")}`);
    // Without a script a plain refresh takes the screen back to the start.
    await page.waitForURL(`${server.url}/kiosk`, { timeout: (IDLE_SECONDS + 5) * 1000 });
    await page.context().close();
  });
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("catalog");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
