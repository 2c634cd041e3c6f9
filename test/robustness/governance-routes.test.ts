// The governance module's real HTTP routes (incoming webhooks, the Metagov API) under hostile peers: malformed
// JSON, bodies over webhookMaxBytes (declared and chunked), bodies that never finish. Every answer is a 4xx of
// its own kind, never a 500, and the port keeps serving.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolityClient } from "../../clients/src/node.js";
import { type MetagovServer, startMetagovServer } from "../support/metagov.js";
import { endlessH1, endlessH2, rawExchange } from "./support/transport.js";

const MAX = 32 * 1024;
const BODY_TIMEOUT_MS = 1000;
let metagov: MetagovServer;
let routes: Array<{ name: string; method: string; path: string; headers: Record<string, string>; malformed: number[] }>;

beforeAll(async () => {
  metagov = await startMetagovServer("gov_routes", { POLITY_WEBHOOK_MAX_BYTES: String(MAX), POLITY_REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), POLITY_IDLE_TIMEOUT_MS: "600", POLITY_HEADERS_TIMEOUT_MS: "500" });
  const key = { "x-api-key": metagov.apiKey, "x-metagov-community": "robust" };
  const put = await fetch(`${metagov.server.url}/api/internal/community/robust`, { method: "PUT", headers: { ...key, "content-type": "application/json" }, body: JSON.stringify({ name: "robust", plugins: [{ name: "discourse", config: { server_url: "https://forum.example.org", api_key: "k", webhook_secret: "a-webhook-secret" } }] }) });
  expect(put.status).toBe(201);
  const { hooks } = (await (await fetch(`${metagov.server.url}/api/internal/community/robust/hooks`, { headers: key })).json()) as { hooks: string[] };
  routes = [
    // A hook checks the signature before it parses anything: malformed and unsigned are the same 401.
    { name: "community webhook", method: "POST", path: hooks[0], headers: {}, malformed: [401] },
    { name: "platform webhook", method: "POST", path: "/api/hooks/discourse", headers: { "x-discourse-instance": "https://forum.example.org" }, malformed: [404, 401] },
    { name: "Metagov community PUT", method: "PUT", path: "/api/internal/community/robust", headers: key, malformed: [400] },
    { name: "Metagov action", method: "POST", path: "/api/internal/action/randomness.random-int", headers: key, malformed: [400] },
    { name: "Metagov process", method: "POST", path: "/api/internal/process/randomness.delayed-stochastic-vote", headers: key, malformed: [400] },
    { name: "Metagov v2 plugin", method: "POST", path: "/api/internal/plugin/randomness", headers: key, malformed: [400] },
    { name: "Metagov identity link", method: "POST", path: "/api/internal/identity/link_account", headers: key, malformed: [400] },
    { name: "Metagov identity unlink", method: "POST", path: "/api/internal/identity/unlink_account", headers: key, malformed: [400] },
    { name: "Metagov identity merge", method: "POST", path: "/api/internal/identity/merge_ids", headers: key, malformed: [400] },
    { name: "Metagov identity create", method: "POST", path: "/api/internal/identity/create_id", headers: key, malformed: [400] },
  ];
}, 120_000);
afterAll(async () => {
  await metagov?.stop();
});

const stillServing = async () => expect((await fetch(`${metagov.server.url}/api/internal/plugin-schemas`, { headers: { "x-api-key": metagov.apiKey } })).status).toBe(200);

describe("governance HTTP routes", () => {
  it("answer malformed JSON with their own 4xx", async () => {
    for (const route of routes) {
      const res = await fetch(`${metagov.server.url}${route.path}`, { method: route.method, headers: { ...route.headers, "content-type": "application/json" }, body: '{"parameters": {' });
      expect({ route: route.name, ok: route.malformed.includes(res.status) }).toEqual({ route: route.name, ok: true });
    }
    await stillServing();
  });

  it("refuse bodies over the limit, declared or chunked, on HTTP/1.1 and h2c", async () => {
    const endless = { head: Buffer.from('{"x":"'), total: 16 * MAX };
    // The senders speak POST; the PUT route reads its body through the same limited reader. Routes in parallel:
    // each answer comes at once, but the server lets a refused connection linger a few seconds before closing.
    const outcomes = await Promise.all(routes.filter((r) => r.method === "POST").map(async (route) => {
      const headers = { ...route.headers, "content-type": "application/json" };
      const [declared, chunked, h2] = await Promise.all([
        endlessH1(metagov.server.url, route.path, { ...headers, "content-length": String(endless.total) }, endless),
        endlessH1(metagov.server.url, route.path, headers, endless),
        endlessH2(metagov.server.url, route.path, headers, endless),
      ]);
      return { route: route.name, declared: declared.status, chunked: chunked.status, h2: Number(h2.headers[":status"]) };
    }));
    expect(outcomes).toEqual(outcomes.map((o) => ({ route: o.route, declared: 413, chunked: 413, h2: 413 })));
    await stillServing();
  }, 120_000);

  it("answer 408 to a body that never finishes, within the body timeout", async () => {
    for (const route of routes) {
      const head = `${route.method} ${route.path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${Object.entries(route.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}content-length: 1000\r\n\r\n{"x":`;
      const { received, closedAfterMs } = await rawExchange(metagov.server.url, Buffer.from(head), 6000);
      expect({ route: route.name, status: received.slice(0, 12) }).toEqual({ route: route.name, status: "HTTP/1.1 408" });
      expect(closedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 2000);
    }
    await stillServing();
  }, 60_000);

  it("never answered 500", async () => {
    const errors = metagov.server.logs.filter((line) => line.includes('"status":500') || line.includes('"level":50'));
    expect(errors).toEqual([]);
  });
});

// A driver on the SDK with the service account's API key reaches the same governance API.
it("serves a driver using the SDK with an API key", async () => {
  const polity = createPolityClient({ baseUrl: metagov.server.url, credentials: { apiKey: metagov.apiKey } });
  expect((await polity.governance.listPlugins({})).plugins.length).toBeGreaterThan(0);
});
