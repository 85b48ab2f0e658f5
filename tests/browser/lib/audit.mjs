// Accessibility audit (axe-core) and screenshots of every page a journey visited.
//
// `newPage` (lib/browser.mjs) records each page's main-frame navigations. A journey's last test
// calls `auditVisited(browser)`: every HTML page visited is opened again in the same browser
// context (so with the same signed-in person), at desktop width and at 390 px, audited with
// axe-core and photographed into the artifacts folder. Pages that only exist as the answer to a
// POST (a form sent back with its errors) are audited where they appear, with `audit(page)`.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const AXE = readFileSync(join(here, "../node_modules/axe-core/axe.min.js"), "utf8");

/// Where screenshots go: MOTCUA_ARTIFACTS, or tests/browser/artifacts.
export const ARTIFACTS = process.env.MOTCUA_ARTIFACTS || join(here, "../artifacts");

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
};

/// context -> { urls: Set of visited URLs, state: its cookies when it was closed }. The audit opens
/// the URLs again in a fresh context with those cookies (so as the same signed-in person, and with
/// JavaScript on even where the journey turned it off).
const visits = new Map();

export function watch(page) {
  const context = page.context();
  if (!visits.has(context)) {
    const entry = { urls: new Set(), state: undefined };
    visits.set(context, entry);
    const close = context.close.bind(context);
    context.close = async (...args) => {
      entry.state = await context.storageState();
      return close(...args);
    };
  }
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = frame.url();
    if (url.startsWith("http")) visits.get(context).urls.add(url);
  });
}

/// The serious and critical violations on the page as it is now, one line each.
export async function audit(page) {
  await page.waitForLoadState();
  const hasAxe = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!hasAxe) await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  const where = new URL(page.url());
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${where.pathname}${where.search} [${v.id}, ${v.impact}] ${v.help}: ` +
        v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | "),
    );
}

function slug(url) {
  const u = new URL(url);
  const s = `${u.pathname}${u.search}`.replace(/[^A-Za-z0-9.-]+/g, "_").replace(/^_+|_+$/g, "");
  return (s || "root").slice(0, 120);
}

/// Opens every visited HTML page again at both widths, audits it and saves its screenshots under
/// ARTIFACTS/<journey>/. Returns the violations found (empty when all is well).
export async function auditVisited(journey) {
  const dir = join(ARTIFACTS, journey);
  mkdirSync(dir, { recursive: true });
  const found = [];
  let pages = 0;
  for (const [context, { urls, state }] of visits) {
    const fresh = await context.browser().newContext({
      locale: "vi-VN",
      timezoneId: "Asia/Ho_Chi_Minh",
      storageState: state ?? (await context.storageState()),
    });
    for (const url of urls) {
      for (const [name, viewport] of Object.entries(VIEWPORTS)) {
        const page = await fresh.newPage();
        try {
          await page.setViewportSize(viewport);
          const response = await page.goto(url);
          const type = response?.headers()["content-type"] ?? "";
          if (!type.startsWith("text/html")) break;
          pages += 1;
          for (const v of await audit(page)) found.push(`${name}: ${v}`);
          await page.screenshot({ path: join(dir, `${slug(url)}.${name}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      }
    }
    await fresh.close();
  }
  visits.clear();
  return { pages, violations: [...new Set(found)] };
}

/// Saves what `page` shows now as ARTIFACTS/<journey>/<name>.png (a moment of the journey that
/// reopening its address would not show, such as a step's own action panel).
export async function snapshot(page, journey, name) {
  const dir = join(ARTIFACTS, journey);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
