// Headless Debian Chromium driven by playwright-core (no browser download).
import { chromium } from "playwright-core";
import { watch } from "./audit.mjs";

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // This machine's network is closed: without these Chromium keeps dialling Google.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// A page in a fresh context: Vietnamese locale and the Hà Nội time zone, as the users have.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", ...options });
  const page = await context.newPage();
  watch(page);
  return page;
}

/// Signs `username` in (demo password) on `page` and waits to leave the login page.
export async function signIn(page, url, username) {
  await page.goto(`${url}/login`);
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill("motcua-demo");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return page;
}
