// A real nginx (Debian's package) running the shipped gateway config (deploy/gateway/nginx.conf) for tests: the
// file as it is, but for the addresses, certificate paths and listener a deployment fills in. Tests that need it
// skip where nginx is not installed.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./server.js";

export const shippedGatewayConfig = readFileSync(join(repoRoot, "deploy", "gateway", "nginx.conf"), "utf8");

export const hasNginx = (() => {
  try {
    execFileSync("nginx", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

export interface RunningNginx {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The gateway's self-signed certificate, for clients to trust. */
  ca: Buffer;
  /** What nginx wrote to stderr (warnings and errors). */
  log: string[];
  /** The folder holding nginx.conf, the certificate and logs. */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on the shipped config with each `server <address>;` line of its upstreams replaced by the test's
 * servers (`"sys.internal:8081": [sysPort]`); an empty list removes the line.
 */
export async function startGateway(upstreams: Record<string, number[]>): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), "polity-nginx-"));
  mkdirSync(join(dir, "logs"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", join(dir, "gateway.key"), "-out", join(dir, "gateway.crt")], { stdio: "ignore" });
  const port = await freePort();
  let config = shippedGatewayConfig
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${port} ssl http2;`)
    .replaceAll("/etc/polity/tls/", `${dir}/`)
    .replace("worker_processes auto;", "worker_processes 1;");
  for (const [address, ports] of Object.entries(upstreams)) {
    const line = new RegExp(`( *)server ${address.replaceAll(".", "\\.")};\\n`, "g");
    config = config.replace(line, (_, indent: string) => ports.map((p) => `${indent}server 127.0.0.1:${p};\n`).join(""));
  }
  writeFileSync(join(dir, "nginx.conf"), config);
  const log: string[] = [];
  const nginx: ChildProcess = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr warn;`], { stdio: ["ignore", "pipe", "pipe"] });
  nginx.stderr!.on("data", (c: Buffer) => log.push(c.toString()));
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((r) => nginx.once("exit", r));
      nginx.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilListening(port);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}:\n${log.join("")}`);
  }
  return { url: `https://127.0.0.1:${port}`, ca: readFileSync(join(dir, "gateway.crt")), log, dir, stop };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilListening(port: number, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(true));
      socket.on("error", () => resolve(false));
      socket.once("connect", () => socket.destroy());
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx is not listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
