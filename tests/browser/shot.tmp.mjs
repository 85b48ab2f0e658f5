import { startServer } from "./lib/server.mjs";
import { launchBrowser, newPage, signIn } from "./lib/browser.mjs";
const server = await startServer({ MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY: "600" });
const browser = await launchBrowser();
try {
  for (const [w, h, tag] of [[1366, 900, "d"], [390, 844, "m"]]) {
    const p = await signIn(await newPage(browser, { viewport: { width: w, height: h } }), server.url, "tinh.lanhdao");
    await p.screenshot({ path: `/tmp/shot-home-${tag}.png`, fullPage: true });
    await p.goto(`${server.url}/thong-ke`);
    await p.screenshot({ path: `/tmp/shot-dash-${tag}.png`, fullPage: true });
    await p.goto(`${server.url}/bao-cao/toan-trinh`);
    await p.screenshot({ path: `/tmp/shot-full-${tag}.png`, fullPage: true });
    await p.goto(`${server.url}/bao-cao/ho-so?period=2026&calendar=true&agency=H99&measure=resolved_not_full_online`);
    await p.screenshot({ path: `/tmp/shot-short-${tag}.png`, fullPage: false });
    await p.context().close();
  }
  const a = await signIn(await newPage(browser, { viewport: { width: 1366, height: 900 } }), server.url, "admin");
  await a.goto(`${server.url}/bao-cao/chi-tieu?agency=H99`);
  await a.screenshot({ path: `/tmp/shot-targets-d.png`, fullPage: true });
} finally {
  await browser.close();
  await server.stop();
}
