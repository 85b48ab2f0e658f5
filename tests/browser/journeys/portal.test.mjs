// A dossier submitted on the national portal (the conformance peer) reaches the desk's online
// queue; the desk accepts it, and its sync timeline shows the portal's answer.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { startServer } from "../lib/server.mjs";
import { launchBrowser, newPage, signIn } from "../lib/browser.mjs";
import { auditVisited } from "../lib/audit.mjs";

const TOKEN = "thu-nghiem-cong-quoc-gia-trinh-duyet-01";
let peer;
let peerUrl;
let server;
let browser;

/// Screenshots for a person to look at, when MOTCUA_SCREENSHOTS names a folder.
async function shoot(target, name) {
  const dir = process.env.MOTCUA_SCREENSHOTS;
  if (dir) await target.screenshot({ path: `${dir}/${name}`, ...(target.url ? { fullPage: true } : {}) });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startPeer() {
  const bin = process.env.MOTCUA_PEER_BIN;
  if (!bin) throw new Error("MOTCUA_PEER_BIN is not set: run the browser tests with scripts/test-browser");
  const port = await freePort();
  const child = spawn(bin, ["--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk.toString();
      if (output.includes("giả lập")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`peer exited with ${code}:\n${output}`)));
  });
  child.removeAllListeners("exit");
  return { child, url: `http://127.0.0.1:${port}` };
}

async function peerPost(path, body) {
  const r = await fetch(`${peerUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${path}: ${r.status} ${text}`);
  return r.status === 204 ? null : JSON.parse(text);
}

before(async () => {
  peer = await startPeer();
  peerUrl = peer.url;
  server = await startServer({
    MOTCUA_PORTAL_REST_URL: peerUrl,
    MOTCUA_PORTAL_CREATE_PATH: "/dvcqg/hoso/themmoi",
    MOTCUA_PORTAL_UPDATE_PATH: "/dvcqg/hoso/capnhat",
    MOTCUA_PORTAL_STEPS_PATH: "/dvcqg/hoso/tiendo",
    MOTCUA_PORTAL_INBOUND_TOKEN: TOKEN,
  });
  browser = await launchBrowser();
  await peerPost("/_peer/push-target", { url: `${server.url}/api/v1/portal/dossiers`, token: TOKEN });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  peer?.child.kill("SIGKILL");
});

test("the desk accepts a dossier from the national portal and sees the portal's answer", async () => {
  const code = "G22.99-261204-0101";
  const pushed = await peerPost("/_peer/submit", { MaHoSo: code, MaDonVi: "H99.301", ChuHoSo: "Hoàng Thị Em" });
  assert.equal(pushed.pushed[0].error_code, "0", JSON.stringify(pushed));

  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    const desk = await signIn(await newPage(browser, { viewport }), server.url, "anphu.motcua");
    await desk.goto(`${server.url}/ho-so`);
    await desk.getByRole("link", { name: /Trực tuyến chờ tiếp nhận/ }).click();
    const row = desk.locator("tr", { hasText: code });
    await row.waitFor();
    assert.match(await row.innerText(), /Hoàng Thị Em/);
    assert.match(await row.innerText(), /Hạn tiếp nhận/);
    await shoot(desk, `online-queue-${viewport.width}.png`);
  }

  const desk = await signIn(await newPage(browser), server.url, "anphu.motcua");
  await desk.goto(`${server.url}/ho-so?queue=online`);
  await desk.getByRole("link", { name: new RegExp(code.replaceAll(".", "\\.")) }).click();
  assert.match(await desk.locator("#portal-code").innerText(), new RegExp(code.replaceAll(".", "\\.")));
  assert.match(await desk.locator("#reception").innerText(), /Chờ tiếp nhận, hạn/);
  assert.equal(await desk.locator("#portal-files li").count(), 1);
  await desk.locator("#next-actions form[data-action=accept] button[type=submit]").click();
  await desk.waitForURL(/msg=done_accept/);
  assert.match(await desk.locator("dl.facts").innerText(), /Được tiếp nhận/);
  assert.match(await desk.locator("#reception").innerText(), /đúng hạn/);

  // Accepting woke the sender: the timeline soon shows the portal's answer.
  let timeline = "";
  for (let i = 0; i < 30 && !/thành công/.test(timeline); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    await desk.reload();
    timeline = (await desk.locator("#portal-timeline").count()) ? await desk.locator("#portal-timeline").innerText() : "";
  }
  assert.match(timeline, /thành công/, timeline);
  await shoot(desk, "online-dossier.png");
  await shoot(desk.locator("#portal-timeline"), "online-timeline.png");
  await shoot(desk.locator("dl.facts"), "online-facts.png");

  const recorded = await (await fetch(`${peerUrl}/_peer/recorded`)).json();
  assert.deepEqual(recorded.violations, []);
  const told = recorded.dossiers.filter((d) => d.body.MaHoSo === code).map((d) => [d.update, d.body.TrangThaiHoSo]);
  assert.deepEqual(told, [[true, "2"]]);
  assert.equal(recorded.calls.filter((c) => c.kind === "create").length, 0, "the portal already holds it");
});

test("every page visited passes the accessibility audit (axe-core), at desktop width and 390 px", async () => {
  const { pages, violations } = await auditVisited("portal");
  assert.ok(pages > 0, "the journey visited no page");
  assert.deepEqual(violations, []);
});
