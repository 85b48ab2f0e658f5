// Starts a real `motcua serve --demo` on a free loopback port with its own temporary data
// folder, and stops it (and removes the folder) afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const READY = /motcua đang chạy tại (http:\/\/127\.0\.0\.1:\d+)\//;

export async function startServer(env = {}) {
  const bin = process.env.MOTCUA_BIN;
  if (!bin) throw new Error("MOTCUA_BIN is not set: run the browser tests with scripts/test-browser");
  const dataDir = mkdtempSync(join(tmpdir(), "motcua-browser-"));
  // The server refuses unknown MOTCUA_* variables, so the harness's own one stays here.
  const { MOTCUA_BIN: _, MOTCUA_PEER_BIN: __, MOTCUA_SCREENSHOTS: ___, ...inherited } = process.env;
  const child = spawn(bin, ["--data-dir", dataDir, "serve", "--demo", "--listen", "127.0.0.1:0"], {
    env: {
      ...inherited,
      // Hashing twenty demo passwords with production Argon2 parameters in a debug build
      // takes long; the journeys do not test password strength.
      MOTCUA_AUTH_ARGON2_MEMORY_KIB: "8",
      MOTCUA_AUTH_ARGON2_ITERATIONS: "1",
      MOTCUA_LOG_LEVEL: "warn",
      // The journeys count on a quiet province; the report journey asks for some history.
      MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(READY);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${e.message}`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  child.removeAllListeners("error");
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGINT");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
