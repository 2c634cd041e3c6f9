// Modules' plain HTTP routes on the one port under hostile peers: malformed JSON, bodies over webhookMaxBytes
// (declared, undeclared, lied about), bodies that never finish, idle connections, wrong methods and paths, and
// a handler that throws. A real host (sys tier on PostgreSQL) serves a probe module's routes; after every case
// the port still answers, over HTTP/1.1 and h2c.
import http2 from "node:http2";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSysModules } from "../../sys/cmd/modules.js";
import { openTierDatabase } from "../../sys/cmd/compose.js";
import { createSysTier } from "../../sys/cmd/sys-tier.js";
import { loadConfig } from "../../sys/core/config.js";
import type { Database } from "../../sys/core/db.js";
import { type Host, startHost } from "../../sys/core/host.js";
import { HttpError } from "../../sys/core/http/route.js";
import { defineModule, type PolityModule, type TierContext } from "../../sys/core/module.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { connectRaw, endlessH1, endlessH2, rawExchange } from "./support/transport.js";

const MAX = 64 * 1024; // webhookMaxBytes
const TIMEOUTS = { body: 1000, idle: 600 };
const ECHO = "/probe/echo/some%20name";

const probe = defineModule<TierContext>({
  id: "route-probe",
  tier: "sys",
  entities: [],
  migrations: [],
  services: () => [],
  routes: (ctx) => [
    {
      method: "POST",
      path: "/probe/echo/:name",
      async handler(request) {
        const body = await request.readBody();
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          throw new HttpError(400, "the body is not JSON");
        }
        const { params, query, clientAddress } = request;
        return { status: 200, headers: { "x-probe": "yes" }, body: { params, query, clientAddress, parsed, selfUrl: ctx.selfUrl(), type: request.headers["content-type"] } };
      },
    },
    { method: "DELETE", path: "/probe/echo/:name", handler: async () => ({ status: 204 }) },
    { method: "GET", path: "/probe/boom", handler: async () => Promise.reject(new Error("a bug in a route handler")) },
  ],
});

let database: TestDatabase;
let db: Database;
let host: Host;
const logs: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase("http_routes");
  const config = loadConfig({
    env: {
      DATABASE_URL: database.url, POLITY_PORT: "0", POLITY_ADMIN_PORT: "0", POLITY_HOST: "127.0.0.1", POLITY_SERVE_WEB: "false",
      POLITY_WEBHOOK_MAX_BYTES: String(MAX), POLITY_REQUEST_BODY_TIMEOUT_MS: String(TIMEOUTS.body), POLITY_IDLE_TIMEOUT_MS: String(TIMEOUTS.idle),
      POLITY_HEADERS_TIMEOUT_MS: "500", POLITY_FIRST_BYTE_TIMEOUT_MS: "500", POLITY_SHUTDOWN_GRACE_MS: "500",
    },
  });
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const modules = createSysModules();
  db = await openTierDatabase("sys", modules as PolityModule<never>[], config, logger);
  const sys = await createSysTier(config, logger, db);
  host = await startHost({ config, logger, tiers: [{ db, modules: [...(modules as PolityModule<TierContext>[]), probe], context: sys.context }], ports: sys.ports });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await database?.drop();
});
afterEach(async () => {
  const res = await post(ECHO, '{"still":"here"}', { connection: "close" });
  expect(res.status).toBe(200);
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${host.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

function h2request(path: string, method: string, body?: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; text: string }> {
  const session = http2.connect(host.url);
  session.on("error", () => {});
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": method, ":path": path, "content-type": "application/json" });
    let headers: http2.IncomingHttpHeaders = {};
    let text = "";
    stream.on("response", (h) => (headers = h));
    stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(headers[":status"]), headers, text });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

describe("answers", () => {
  it("routes by method and pattern, with decoded params, the query, the client address and the server's URL", async () => {
    const res = await post(`${ECHO}?a=1&b=two`, '{"x":[1,2]}');
    expect(res.status).toBe(200);
    expect(res.headers.get("x-probe")).toBe("yes");
    expect(await res.json()).toEqual({ params: { name: "some name" }, query: { a: "1", b: "two" }, clientAddress: "127.0.0.1", parsed: { x: [1, 2] }, selfUrl: host.url, type: "application/json" });
    const viaH2 = await h2request(ECHO, "POST", '{"y":true}');
    expect(viaH2.status).toBe(200);
    expect(JSON.parse(viaH2.text).parsed).toEqual({ y: true });
    expect((await fetch(`${host.url}${ECHO}`, { method: "DELETE" })).status).toBe(204);
  });

  it("answers malformed JSON with the handler's 400", async () => {
    const res = await post(ECHO, '{"x":');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "the body is not JSON" });
    expect((await h2request(ECHO, "POST", "not json")).status).toBe(400);
  });

  it("answers 405 with Allow for a known path and another method, 404 for an unknown path", async () => {
    for (const answer of [await fetch(`${host.url}${ECHO}`, { method: "PUT", body: "{}" }), await h2request(ECHO, "GET")]) {
      expect(answer.status).toBe(405);
      const allow = answer instanceof Response ? answer.headers.get("allow") : answer.headers.allow;
      expect(allow).toBe("POST, DELETE");
    }
    expect((await post("/probe/nothing/here", "{}")).status).toBe(404);
    expect((await h2request("/probe/nothing", "POST", "{}")).status).toBe(404);
  });

  it("answers 500 with a JSON error when a handler throws, and logs it", async () => {
    const res = await fetch(`${host.url}/probe/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal error" });
    expect(logs.some((line) => line.includes("a bug in a route handler") && line.includes("http route failed"))).toBe(true);
  });

  it("logs and counts every answer by route pattern", async () => {
    await post(ECHO, "{}");
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "http" && l.route === "/probe/echo/:name" && l.status === 200);
    expect(line).toMatchObject({ method: "POST" });
    expect(typeof line?.durationMs).toBe("number");
    const metrics = await (await fetch(`${host.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{route="\/probe\/echo\/:name",method="POST",code="200"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{route="\/probe\/echo\/:name",method="PUT",code="405"\} [1-9]/);
  });
});

describe("bodies over webhookMaxBytes", () => {
  // Far more than loopback's socket buffers hold, so the sender is still sending when the answer comes.
  const TOTAL = 64 * MAX;
  const endless = { head: Buffer.from('{"x":"'), total: TOTAL };

  it("refuses a declared length over the limit before reading it (HTTP/1.1)", async () => {
    const answer = await endlessH1(host.url, ECHO, { "content-type": "application/json", "content-length": String(TOTAL) }, endless);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain(`larger than ${MAX} bytes`);
  });

  it("cuts an undeclared (chunked) body at the limit (HTTP/1.1)", async () => {
    const answer = await endlessH1(host.url, ECHO, { "content-type": "application/json" }, endless);
    expect(answer.status).toBe(413);
    expect(answer.closedByServer).toBe(true);
  });

  it("never answers 200 to a body longer than its declared length (HTTP/1.1)", async () => {
    // The declared bytes are the request (not JSON: 400); the rest is garbage on the connection, which closes.
    const answer = await endlessH1(host.url, ECHO, { "content-type": "application/json", "content-length": "100" }, endless);
    expect(answer.status).toBe(400);
    expect(answer.closedByServer).toBe(true);
  });

  it("cuts an undeclared body at the limit and a lying content-length (h2c), keeping the session usable", async () => {
    const plain = await endlessH2(host.url, ECHO, { "content-type": "application/json" }, endless);
    expect(Number(plain.headers[":status"])).toBe(413);
    const lying = await endlessH2(host.url, ECHO, { "content-type": "application/json", "content-length": "100" }, endless);
    // nghttp2 resets a stream whose DATA overruns its content-length; either way nothing past the limit is read.
    const status = Number(lying.headers[":status"] ?? 0);
    expect(status === 413 || status === 400 || (status === 0 && lying.rstCode !== undefined)).toBe(true);
  });
});

describe("slow and idle peers", () => {
  it("answers 408 and closes an HTTP/1.1 body that never finishes, within the body timeout", async () => {
    for (const framing of ["content-length: 1000\r\n\r\n{\"x\":", "transfer-encoding: chunked\r\n\r\n5\r\n{\"x\":\r\n"]) {
      const head = `POST ${ECHO} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${framing}`;
      const { received, closedAfterMs } = await rawExchange(host.url, Buffer.from(head), 5000);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(closedAfterMs).toBeLessThan(TIMEOUTS.body + 1500);
    }
  });

  it("ends an h2c stream whose body never finishes, within the body timeout", async () => {
    const session = http2.connect(host.url);
    session.on("error", () => {});
    const started = Date.now();
    const outcome = await new Promise<{ status?: number; rst?: number }>((resolve) => {
      const stream = session.request({ ":method": "POST", ":path": ECHO, "content-type": "application/json" });
      let status: number | undefined;
      stream.on("response", (h) => (status = Number(h[":status"])));
      stream.on("error", () => {});
      stream.on("close", () => resolve({ status, rst: stream.rstCode }));
      stream.resume();
      stream.write('{"x":');
    });
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.body + 1500);
    expect(outcome.status === 408 || (outcome.rst ?? 0) !== 0).toBe(true);
    session.destroy();
  });

  it("ends idle connections after a route's answer: h2c (GOAWAY) after the idle timeout, HTTP/1.1 after keep-alive", async () => {
    const session = http2.connect(host.url);
    session.on("error", () => {});
    // The server's GOAWAY ends the session (node's client may keep its socket a while after).
    const closed = new Promise<number>((resolve) => session.once("goaway", () => resolve(Date.now())));
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": ECHO });
      stream.on("error", reject);
      stream.resume();
      stream.on("end", () => resolve());
      stream.end("{}");
    });
    const answered = Date.now();
    expect((await closed) - answered).toBeLessThan(TIMEOUTS.idle + 1500);
    session.destroy();

    const socket = await connectRaw(host.url);
    const h1Closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
    socket.resume(); // reading is what lets the socket see the server's FIN
    socket.write(`POST ${ECHO} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`);
    const sent = Date.now();
    expect((await h1Closed) - sent).toBeLessThan(5000 + 1500);
  }, 15_000);
});

describe("the admin listener", () => {
  const ENDLESS = { head: Buffer.from("x"), total: 64 * MAX };
  afterEach(async () => {
    const res = await fetch(`${host.adminUrl}/healthz`, { headers: { connection: "close" } });
    expect(res.status).toBe(200);
  });

  function h2get(path: string, method = "GET"): Promise<{ status: number; text: string; allow?: string }> {
    const session = http2.connect(host.adminUrl);
    session.on("error", () => {});
    return new Promise((resolve, reject) => {
      const stream = session.request({ ":method": method, ":path": path });
      let status = 0;
      let allow: string | undefined;
      let text = "";
      stream.on("response", (h) => ((status = Number(h[":status"])), (allow = h.allow as string | undefined)));
      stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
      stream.on("end", () => {
        session.close();
        resolve({ status, text, allow });
      });
      stream.on("error", reject);
      stream.end();
    });
  }

  it("answers GET on its few paths over HTTP/1.1 and h2c, 405 with Allow for another method, 404 elsewhere", async () => {
    expect(host.adminUrl).not.toBe(host.url);
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      expect((await fetch(`${host.adminUrl}${path}`)).status).toBe(200);
      expect((await h2get(path)).status).toBe(200);
    }
    expect(await h2get("/metrics", "DELETE")).toMatchObject({ status: 405, allow: "GET" });
    expect((await fetch(`${host.adminUrl}/readyz?verbose`, { method: "PUT" })).status).toBe(405);
    for (const path of ["/", "/probe/boom", "/.well-known/jwks.json", "/constructor", "/__proto__", "/metrics/"]) expect((await fetch(`${host.adminUrl}${path}`)).status).toBe(404);
    expect((await fetch(`${host.url}/metrics`)).status).toBe(404);
  });

  it("answers a malformed request with 400 and headers over the limit with 431, closing the connection", async () => {
    const garbage = await rawExchange(host.adminUrl, Buffer.from("HELLO\r\n\r\n"), 5000);
    expect(garbage.received).toMatch(/^HTTP\/1\.1 400/);
    const huge = await rawExchange(host.adminUrl, Buffer.from(`GET /metrics HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(64 * 1024)}\r\n\r\n`), 5000);
    expect(huge.received).toMatch(/^HTTP\/1\.1 431/);
  });

  it("refuses a body that never ends (405 at once) and stops reading it", async () => {
    const declared = await endlessH1(host.adminUrl, "/metrics", { "content-length": String(ENDLESS.total) }, ENDLESS);
    expect([declared.status, declared.closedByServer]).toEqual([405, true]);
    expect(declared.sentWhenAnswered).toBeLessThan(ENDLESS.total);
    const chunked = await endlessH1(host.adminUrl, "/healthz", {}, ENDLESS);
    expect([chunked.status, chunked.closedByServer]).toEqual([405, true]);
    const h2 = await endlessH2(host.adminUrl, "/readyz", {}, ENDLESS);
    expect(Number(h2.headers[":status"])).toBe(405);
  });

  it("closes connections whose headers never end, and those that send nothing, within their timeouts", async () => {
    const slow = await rawExchange(host.adminUrl, Buffer.from("GET /metrics HTTP/1.1\r\nhost: x\r\nx-slow: "), 5000);
    expect(slow.closedAfterMs).toBeLessThan(500 + 1500);
    const silent = await rawExchange(host.adminUrl, Buffer.alloc(0), 5000);
    expect([silent.received, silent.closedAfterMs < 500 + 1500]).toEqual(["", true]);
  });

  it("caps its connections (32): past the cap a connection is closed at once", async () => {
    const sockets = await Promise.all(Array.from({ length: 40 }, () => connectRaw(host.adminUrl)));
    const closedAtOnce = await Promise.all(sockets.map((socket) => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.once("close", () => (clearTimeout(timer), resolve(true)));
    })));
    for (const socket of sockets) socket.destroy();
    expect(closedAtOnce.filter(Boolean).length).toBeGreaterThanOrEqual(8);
    // Once the server has seen them go, new connections are served again.
    const deadline = Date.now() + 3000;
    while (!(await fetch(`${host.adminUrl}/healthz`).then((r) => r.ok, () => false)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
