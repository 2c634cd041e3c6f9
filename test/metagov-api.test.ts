// The Metagov-compatible HTTP API end to end: a real server (PostgreSQL) with the real governance module and
// the randomness plugin, driven the way a Metagov driver does — community PUT/GET/DELETE, listings, actions,
// processes (202 + Location, poll, close), v2 plugin paths — authenticated with an API key or, keyless, from a
// trusted network as the configured service account; anyone else gets 401.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./governance/support.js";
import { type MetagovServer, startMetagovServer } from "./support/metagov.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const TOWN = "metagov-town";
const DRAW = "randomness.delayed-stochastic-vote";

let server: TestServer;
let apiKey: string;
let serviceAccountId: string;

/** A request from `localAddress` (any 127.x address reaches the loopback server; only 127.0.0.1 is trusted). */
function call(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string>; from?: string; key?: string | null } = {}) {
  const { hostname, port } = new URL(server.url);
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { ...(payload ? { "content-type": "application/json" } : {}), ...options.headers };
  if (options.key !== null) headers["x-api-key"] = options.key ?? apiKey;
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }>((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers, localAddress: options.from ?? "127.0.0.1" }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}
const inTown = { "x-metagov-community": TOWN };

let metagov: MetagovServer;
beforeAll(async () => {
  metagov = await startMetagovServer("metagov_api");
  ({ server, apiKey, serviceAccountId } = metagov);
}, 120_000);
afterAll(async () => {
  await metagov?.stop();
});

describe("credentials", () => {
  it("refuses requests without a key from outside the trusted networks, and bad keys", async () => {
    const outsider = await call("GET", `/api/internal/community/${TOWN}`, { key: null, from: "127.0.0.2" });
    expect(outsider.status).toBe(401);
    expect(outsider.json.error).toMatch(/API key/);
    expect((await call("GET", `/api/internal/community/${TOWN}`, { key: "not-a-real-api-key-at-all" })).status).toBe(401);
    expect((await call("GET", "/api/internal/plugin-schemas", { key: null, headers: { authorization: "Bearer nonsense-key-000000" } })).status).toBe(401);
    // The key as a bearer token works as X-Api-Key does, from any address.
    const withBearer = await call("GET", "/api/internal/plugin-schemas", { key: null, from: "127.0.0.2", headers: { authorization: `Bearer ${apiKey}` } });
    expect(withBearer.status).toBe(200);
  });

  it("answers 500 and logs why when the service account's key belongs to another account", async () => {
    const misconfigured = await startInProcessServer({
      DATABASE_URL: metagov.databaseUrl,
      POLITY_METAGOV_TRUSTED_NETWORKS: "127.0.0.1/32",
      POLITY_METAGOV_SERVICE_ACCOUNT: "00000000-0000-4000-8000-000000000000",
      POLITY_METAGOV_SERVICE_ACCOUNT_KEY: apiKey,
    });
    try {
      const res = await fetch(`${misconfigured.url}/api/internal/plugin-schemas`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "the Metagov service account is misconfigured" });
      expect(misconfigured.logs.join("")).toContain("metagovServiceAccountKey belongs to another account than metagovServiceAccount");
    } finally {
      await misconfigured.stop();
    }
  });
});

describe("communities", () => {
  it("creates a community with PUT (201), reconfigures it (200), reads it with GET, secrets and disabled plugins left out", async () => {
    const body = { name: TOWN, readable_name: "Metagov town", plugins: [{ name: "randomness", config: { default_high: 10 } }] };
    const created = await call("PUT", `/api/internal/community/${TOWN}`, { body });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name: TOWN, readable_name: "Metagov town", plugins: [{ name: "randomness", config: { default_low: 0, default_high: 10 } }] });
    const again = await call("PUT", `/api/internal/community/${TOWN}`, { body: { ...body, readable_name: "Metagov Town" } });
    expect(again.status).toBe(200);
    expect(again.json.readable_name).toBe("Metagov Town");
    // Keyless, from the trusted network: the service account.
    const read = await call("GET", `/api/internal/community/${TOWN}`, { key: null });
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ name: TOWN, readable_name: "Metagov Town", plugins: [{ name: "randomness", config: { default_low: 0, default_high: 10 } }] });
  });

  it("refuses bad bodies with 400 and unknown communities with 404", async () => {
    expect((await call("PUT", `/api/internal/community/${TOWN}`, { raw: '{"name":' })).status).toBe(400);
    expect((await call("PUT", `/api/internal/community/${TOWN}`, { body: { name: "another-name" } })).status).toBe(400);
    expect((await call("PUT", `/api/internal/community/${TOWN}`, { body: { plugins: [{ name: "no-such-plugin" }] } })).status).toBe(400);
    expect((await call("GET", "/api/internal/community/nowhere-at-all")).status).toBe(404);
  });

  it("lists hooks, actions, processes and events of the enabled plugins, with their schemas", async () => {
    expect((await call("GET", `/api/internal/community/${TOWN}/hooks`)).json).toEqual({ hooks: [] });
    const actions = (await call("GET", `/api/internal/community/${TOWN}/actions`)).json.actions;
    expect(actions.map((a: { id: string }) => a.id).sort()).toEqual(["randomness.random-int", "randomness.set-lucky-number"]);
    expect(actions.find((a: { id: string }) => a.id === "randomness.random-int")).toMatchObject({ parameters_schema: { type: "object" }, response_schema: { required: ["value"] } });
    const processes = (await call("GET", `/api/internal/community/${TOWN}/processes`)).json.processes;
    expect(processes).toEqual([expect.objectContaining({ id: DRAW, parameters_schema: expect.objectContaining({ required: ["options", "delay"] }) })]);
    expect((await call("GET", `/api/internal/community/${TOWN}/events`)).json).toEqual({ events: [] });
  });
});

describe("hooks and secrets", () => {
  it("lists hook paths that reach the instance, never returns secrets, and disables plugins a PUT leaves out", async () => {
    const loomio = { name: "loomio", config: { api_key: "loomio-group-key", webhook_token: "a-long-enough-webhook-token" } };
    const randomness = { name: "randomness", config: { default_high: 10 } };
    const put = await call("PUT", `/api/internal/community/${TOWN}`, { body: { name: TOWN, plugins: [randomness, loomio] } });
    expect(put.status).toBe(200);
    const shown = put.json.plugins.find((p: { name: string }) => p.name === "loomio");
    expect(shown.config).toEqual({ base_url: "https://www.loomio.com", api_version: "b1" });
    expect(JSON.stringify((await call("GET", `/api/internal/community/${TOWN}`)).json)).not.toContain("loomio-group-key");
    const { hooks } = (await call("GET", `/api/internal/community/${TOWN}/hooks`)).json as { hooks: string[] };
    expect(hooks).toEqual([expect.stringMatching(/^\/api\/hooks\/[0-9a-f-]{36}\/loomio$/)]);
    // The path reaches the instance: without Loomio's token the delivery is refused as unsigned, not unknown.
    expect((await fetch(`${server.url}${hooks[0]}`, { method: "POST", body: "{}" })).status).toBe(401);
    const back = await call("PUT", `/api/internal/community/${TOWN}`, { body: { name: TOWN, plugins: [randomness] } });
    expect(back.json.plugins.map((p: { name: string }) => p.name)).toEqual(["randomness"]);
    expect((await call("GET", `/api/internal/community/${TOWN}/hooks`)).json).toEqual({ hooks: [] });
  });
});

describe("actions", () => {
  it("runs an action in the community of X-Metagov-Community and answers its result", async () => {
    const res = await call("POST", "/api/internal/action/randomness.random-int", { headers: inTown, body: { parameters: { low: 7, high: 8 } } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ value: 7 });
    const keyless = await call("POST", "/api/internal/action/randomness.random-int", { key: null, headers: inTown, body: { parameters: { low: 3, high: 4 } } });
    expect(keyless.json).toEqual({ value: 3 });
  });

  it("answers 400 for schema errors, a missing or unknown community, a plugin not enabled and malformed JSON", async () => {
    const badInput = await call("POST", "/api/internal/action/randomness.random-int", { headers: inTown, body: { parameters: { low: "seven" } } });
    expect(badInput.status).toBe(400);
    expect(badInput.json).toEqual({ error: expect.stringContaining("low"), reason: expect.any(String) });
    expect((await call("POST", "/api/internal/action/randomness.random-int", { body: { parameters: {} } })).json.error).toMatch(/X-Metagov-Community/);
    expect((await call("POST", "/api/internal/action/randomness.random-int", { headers: { "x-metagov-community": "elsewhere" }, body: {} })).status).toBe(400);
    expect((await call("POST", "/api/internal/action/loomio.create-poll", { headers: inTown, body: { parameters: {} } })).status).toBe(400);
    expect((await call("POST", "/api/internal/action/randomness.random-int", { headers: inTown, raw: "{parameters" })).status).toBe(400);
  });
});

describe("processes", () => {
  it("starts a process (202 + Location), polls it, closes it with DELETE, and refuses to close it twice", async () => {
    const started = await call("POST", `/api/internal/process/${DRAW}`, { headers: inTown, body: { options: ["north", "south"], delay: 60 } });
    expect(started.status).toBe(202);
    const location = started.headers.location!;
    expect(location).toMatch(new RegExp(`^/api/internal/process/${DRAW.replace(".", "\\.")}/[0-9a-f-]{36}$`));
    const id = location.split("/").pop();
    // Metagov drivers poll without the community header.
    const pending = await call("GET", location);
    expect(pending.json).toEqual({ id, name: DRAW, community: TOWN, status: "pending", errors: {}, outcome: {} });
    const closed = await call("DELETE", location, { key: null });
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ id, status: "completed", community: TOWN });
    expect(["north", "south"]).toContain(closed.json.outcome.winner);
    expect((await call("DELETE", location)).status).toBe(400);
    expect((await call("GET", `/api/internal/process/randomness.other/${id}`)).status).toBe(404);
  });

  it("refuses a process input that breaks its schema", async () => {
    const res = await call("POST", `/api/internal/process/${DRAW}`, { headers: inTown, body: { options: [] } });
    expect(res.status).toBe(400);
  });
});

describe("v2 plugin paths", () => {
  it("serves plugin metadata and every plugin's config schema", async () => {
    const metadata = await call("GET", "/api/internal/plugin/randomness/metadata");
    expect(metadata.json).toMatchObject({ name: "randomness", auth_type: "none", uses_webhook: false, schemas: { config: { type: "object" } } });
    expect(metadata.json.schemas.processes.map((p: { id: string }) => p.id)).toEqual([DRAW]);
    expect((await call("GET", "/api/internal/plugin/no-such-plugin/metadata")).status).toBe(400);
    const schemas = (await call("GET", "/api/internal/plugin-schemas")).json;
    expect(schemas.randomness).toMatchObject({ properties: { default_high: { default: 100 } } });
  });

  it("reconfigures an enabled plugin (200), disables it by id (204), enables it anew (201)", async () => {
    const updated = await call("POST", "/api/internal/plugin/randomness", { headers: inTown, body: { default_high: 50 } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: "randomness", community: TOWN, auth_type: "none", config: { default_high: 50 } });
    expect((await call("DELETE", `/api/internal/plugin/randomness/${updated.json.id}`)).status).toBe(204);
    expect((await call("GET", `/api/internal/community/${TOWN}`)).json.plugins).toEqual([]);
    const enabled = await call("POST", "/api/internal/plugin/randomness", { headers: inTown, body: {} });
    expect(enabled.status).toBe(201);
    expect(enabled.json).toMatchObject({ name: "randomness", community: TOWN, config: { default_low: 0, default_high: 100 } });
  });
});

describe("deleting a community", () => {
  it("disables its plugins and archives it: 204, then 404", async () => {
    expect((await call("DELETE", `/api/internal/community/${TOWN}`)).status).toBe(204);
    expect((await call("GET", `/api/internal/community/${TOWN}`)).status).toBe(404);
    // PUT brings it back (unarchived) with the plugins it lists.
    const back = await call("PUT", `/api/internal/community/${TOWN}`, { body: { name: TOWN, plugins: [] } });
    expect(back.status).toBe(200);
    expect(back.json.plugins).toEqual([]);
  });
});

// metagov/example-driver's request sequence, restated: a community with randomness, its hooks, random-int, and a
// delayed-stochastic-vote whose callback arrives with a winner — keyless from a trusted network, with an API key
// from elsewhere, and refused without one.
describe("the example-driver sequence", () => {
  const runs = [
    { how: "keyless from the trusted network", from: "127.0.0.1", key: null, community: "example-trusted" },
    { how: "with an API key from elsewhere", from: "127.0.0.2", key: undefined, community: "example-keyed" },
  ] as const;
  for (const run of runs) {
    it(`runs ${run.how}`, async () => {
      const receiver = await startReceiver();
      try {
        const as = { from: run.from, key: run.key };
        const put = await call("PUT", `/api/internal/community/${run.community}`, { ...as, body: { name: run.community, readable_name: "Example", plugins: [{ name: "randomness", config: {} }] } });
        expect(put.status).toBe(201);
        expect((await call("GET", `/api/internal/community/${run.community}/hooks`, as)).json).toEqual({ hooks: [] });
        const header = { "x-metagov-community": run.community };
        const drawn = await call("POST", "/api/internal/action/randomness.random-int", { ...as, headers: header, body: { parameters: { low: 0, high: 10 } } });
        expect(drawn.status).toBe(200);
        expect(drawn.json.value).toBeGreaterThanOrEqual(0);
        expect(drawn.json.value).toBeLessThan(10);
        const started = await call("POST", `/api/internal/process/${DRAW}`, { ...as, headers: header, body: { options: ["one", "two", "three"], delay: 0.01, callback_url: `${receiver.url}/callback` } });
        expect(started.status).toBe(202);
        const id = String(started.headers.location).split("/").pop();
        const callback = await receiver.waitFor((r) => r.body.includes(String(id)) && r.body.includes("completed"));
        expect(["one", "two", "three"]).toContain(JSON.parse(callback.body).outcome.winner);
        expect(callback.headers["polity-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
        const polled = await call("GET", String(started.headers.location), as);
        expect(polled.json).toMatchObject({ id, name: DRAW, status: "completed" });
      } finally {
        await receiver.close();
      }
    });
  }

  it("refuses a request without a key from elsewhere", async () => {
    expect((await call("PUT", "/api/internal/community/example-anonymous", { from: "127.0.0.2", key: null, body: { name: "example-anonymous", plugins: [] } })).status).toBe(401);
  });
});
