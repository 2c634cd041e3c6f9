// The one port's own behaviour, below the RPC layer: HTTP/1.1 and h2c on one cleartext port, CORS only for
// allowed origins, the advertised stream limit, and draining on stop.
import http2 from "node:http2";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { type RunningServer, startServer } from "./server.js";

const logger = pino({ level: "silent" });
let server: RunningServer | undefined;
// Resolved when an RPC reaches the handler: a test drains only once its call is really in flight.
let rpcArrived: () => void = () => {};
afterEach(async () => {
  await server?.drain(0);
  server = undefined;
});

async function start(env: Record<string, string> = {}, delayMs = 0) {
  const config = loadConfig({ env: { POLITY_PORT: "0", POLITY_HOST: "127.0.0.1", ...env } });
  server = await startServer({
    config,
    logger,
    routes: { "/hello": (_req, res) => void res.end("hello") },
    rpc: (req, res) => {
      if (req.url === "/throw") throw new Error("a bug in a handler");
      rpcArrived();
      setTimeout(() => res.end("rpc done"), delayMs);
    },
  });
  return server;
}

function h2get(url: string, path: string): Promise<{ status: number; body: string; session: http2.ClientHttp2Session }> {
  const session = http2.connect(url);
  return new Promise((resolve, reject) => {
    const req = session.request({ ":path": path, ":method": "GET" });
    let body = "";
    let status = 0;
    req.on("response", (headers) => (status = Number(headers[":status"])));
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve({ status, body, session }));
    req.on("error", reject);
  });
}

describe("the one port", () => {
  it("answers HTTP/1.1 and h2c on the same cleartext port", async () => {
    const s = await start();
    expect(await (await fetch(`${s.url}/hello`)).text()).toBe("hello");
    const viaH2 = await h2get(s.url, "/hello");
    expect(viaH2).toMatchObject({ status: 200, body: "hello" });
    viaH2.session.close();
  });

  it("answers 500 when a handler throws, and keeps serving", async () => {
    const s = await start();
    expect((await fetch(`${s.url}/throw`, { method: "POST" })).status).toBe(500);
    const viaH2 = await h2get(s.url, "/throw");
    expect(viaH2.status).toBe(500);
    viaH2.session.close();
    expect(await (await fetch(`${s.url}/hello`)).text()).toBe("hello");
  });

  it("advertises the configured bound on concurrent streams", async () => {
    const s = await start({ POLITY_MAX_CONCURRENT_STREAMS: "7" });
    const session = http2.connect(s.url);
    await new Promise<void>((resolve) => session.once("remoteSettings", () => resolve()));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(7);
    session.close();
  });

  it("sends CORS headers only to allowed origins and answers their preflights", async () => {
    const s = await start({ POLITY_CORS_ALLOWED_ORIGINS: "https://app.example.org" });
    const preflight = await fetch(`${s.url}/polity.sys.auth.v1.AuthService/Login`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.org", "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.org");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const other = await fetch(`${s.url}/hello`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets in-flight calls finish on drain, then refuses new connections", async () => {
    const s = await start({}, 300);
    const arrived = new Promise<void>((resolve) => (rpcArrived = resolve));
    const inFlight = fetch(`${s.url}/polity.sys.auth.v1.AuthService/Login`, { method: "POST" }).then((r) => r.text());
    await arrived;
    const drained = s.drain(5000);
    expect(await inFlight).toBe("rpc done");
    await drained;
    server = undefined;
    await expect(fetch(`${s.url}/hello`)).rejects.toThrow();
  });

  it("cuts calls still running when the grace period is over", async () => {
    const s = await start({}, 10_000);
    const arrived = new Promise<void>((resolve) => (rpcArrived = resolve));
    const inFlight = fetch(`${s.url}/slow`, { method: "POST" }).then(() => "finished", () => "cut");
    await arrived;
    const started = Date.now();
    await s.drain(200);
    server = undefined;
    expect(await inFlight).toBe("cut");
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
