// The admin listener and what it exports, on a real server (PostgreSQL, every tier): /metrics, /healthz and
// /readyz there, the probes but not /metrics on the public port; the domain counters move with the calls that
// make them (a ballot, a denied call, a failed login, a governance callback retried then delivered, webhooks to
// hooks that do not exist); no label takes a value a caller made up; and `promtool check metrics` finds nothing
// to say about a scrape. A mod-only process whose sys cannot be reached is alive but not ready.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import type { PolityClient } from "../../clients/src/core.js";
import { BallotSecrecy, ResultVisibility, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { startCommunityStage } from "../support/communities.js";
import { clientFor } from "../support/clients.js";
import { rejection } from "../support/failures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";
import { type Receiver, startReceiver } from "../governance/support.js";

const ADMIN = { email: "metrics-admin@example.org", password: "a long admin password" };
const MEMBER = { email: "metrics-member@example.org", password: "a long member password" };

let database: TestDatabase;
let server: TestServer;
let admin: PolityClient;
let member: PolityClient;
let communityId: string;
let receiver: Receiver;

beforeAll(async () => {
  database = await createTestDatabase("ops_metrics");
  receiver = await startReceiver();
  ({ server, admin, member, communityId } = await startCommunityStage(ADMIN, MEMBER, {
    DATABASE_URL: database.url, POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_DELIVERY_TIMEOUT_MS: "2000",
    POLITY_SECRETS_KEY: randomBytes(32).toString("base64"), // callbacks are signed with a secret stored sealed
  }));
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await server?.stop();
  await database?.drop();
});

const scrape = async () => {
  const res = await fetch(`${server.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};

/** The sum of the samples of `name` whose labels include every one of `labels` (0 when there are none). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.entries(labels).every(([key, value]) => (match[2] ?? "").split(",").includes(`${key}="${value}"`));
    if (has) sum += Number(match[3]);
  }
  return sum;
}

async function untilMetric(name: string, labels: Record<string, string>, atLeast: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = total(await scrape(), name, labels);
    if (value >= atLeast || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the admin listener", () => {
  it("serves /metrics, /healthz and /readyz apart from the public port, which keeps the probes only", async () => {
    expect(server.adminUrl).not.toBe(server.url);
    expect(await scrape()).toContain("# TYPE grpc_server_handled_total counter");
    for (const base of [server.adminUrl, server.url]) {
      const healthz = await fetch(`${base}/healthz`);
      expect([healthz.status, await healthz.text()]).toEqual([200, "SERVING\n"]);
      const readyz = await fetch(`${base}/readyz`);
      expect([readyz.status, await readyz.text()]).toEqual([200, "READY\n"]);
    }
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect(server.logs.some((line) => line.includes('"polityd serving"') && line.includes(`"adminUrl":"${server.adminUrl}"`))).toBe(true);
  });

  it("refuses to start when its port is taken, rather than serve without it", async () => {
    const taken = new URL(server.adminUrl).port;
    await expect(startInProcessServer({ DATABASE_URL: database.url, POLITY_ADMIN_PORT: taken })).rejects.toThrow(/EADDRINUSE/);
  });

  it("answers only GET on its few paths", async () => {
    const post = await fetch(`${server.adminUrl}/metrics`, { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
    expect((await fetch(`${server.adminUrl}/`)).status).toBe(404);
    expect((await fetch(`${server.adminUrl}/polity.sys.auth.v1.AuthService/WhoAmI`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(404);
  });
});

describe("domain metrics", () => {
  it("count ballots by method and secrecy, open polls by method, authorization decisions and failed logins", async () => {
    const { poll } = await admin.voting.createPoll({ poll: {
      communityId, title: "Where does the bench go?", method: VotingMethod.SINGLE_CHOICE, secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.LIVE,
      options: [{ id: "harbour", label: "Harbour" }, { id: "park", label: "Park" }],
    } });
    await admin.voting.openPoll({ communityId, pollId: poll!.id });
    // Read from the database at most every 5 seconds: an earlier scrape may still hold the figure without it.
    expect(await untilMetric("voting_polls_open", { method: "plurality" }, 1)).toBe(1);
    const before = await scrape();

    await member.voting.castBallot({ communityId, pollId: poll!.id, ballot: { choice: { case: "optionId", value: "park" } } });
    await member.voting.castBallot({ communityId, pollId: poll!.id, ballot: { choice: { case: "optionId", value: "harbour" } } }); // changed: counts
    await member.voting.castBallot({ communityId, pollId: poll!.id, ballot: { choice: { case: "optionId", value: "harbour" } } }); // the same again: does not
    expect((await rejection(member.accounts.listAccounts({}))).code).toBe(Code.PermissionDenied);
    expect((await rejection(clientFor(AuthService, server.url).login({ email: MEMBER.email, password: "not the password" }))).code).toBe(Code.Unauthenticated);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
    expect(delta("voting_ballots_cast_total", { method: "plurality", secrecy: "public" })).toBe(2);
    expect(delta("authz_decisions_total", { decision: "allow", source: "engine" })).toBeGreaterThanOrEqual(3);
    expect(delta("authz_decisions_total", { decision: "deny", source: "engine" })).toBe(1);
    expect(delta("grpc_server_handled_total", { grpc_method: "Login", grpc_code: "Unauthenticated" })).toBe(1);
    // One process, the decision engine in it: no decision cache to count.
    expect(after).not.toContain("authz_decision_cache_hits_total");
  });

  it("count governance callbacks by outcome (retried, then delivered) and incoming webhooks by registered plugin only", async () => {
    await admin.governance.enablePlugin({ communityId, plugin: "randomness" });
    const before = await scrape();
    receiver.failNext(1, 503);
    const { process } = await admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["x", "y"], delay: 0 }, callbackUrl: `${receiver.url}/done` });
    await receiver.waitFor((r) => r.body.includes(process!.id) && r.body.includes("completed"), 30_000);
    const callbacks = (outcome: string) => ({ kind: "callback", outcome });
    expect(await untilMetric("governance_deliveries_total", callbacks("delivered"), total(before, "governance_deliveries_total", callbacks("delivered")) + 1)).toBeGreaterThan(0);

    const hook = (path: string) => fetch(`${server.url}${path}`, { method: "POST", body: "{}" }).then((r) => r.status);
    expect(await hook("/api/hooks/a-plugin-made-up-here")).toBe(404);
    expect(await hook(`/api/hooks/${communityId}/randomness`)).toBe(404); // registered, but receives no webhooks
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(delta("governance_deliveries_total", callbacks("retry"))).toBe(1);
    expect(delta("governance_deliveries_total", callbacks("delivered"))).toBe(1);
    expect(delta("governance_webhooks_received_total", { plugin: "unknown", outcome: "not_found" })).toBe(1);
    expect(delta("governance_webhooks_received_total", { plugin: "randomness", outcome: "not_found" })).toBe(1);
    expect(after).not.toContain("a-plugin-made-up-here");
  }, 40_000);
});

describe("promtool", () => {
  const promtool = spawnSync("promtool", ["--version"]);
  const missing = promtool.error !== undefined;
  const inCi = process.env.CI === "true";

  it.skipIf(missing && !inCi)("finds nothing to say about a scrape (needs promtool: Debian's `prometheus` package)", async () => {
    expect(missing, "promtool is not installed (CI installs Debian's prometheus package)").toBe(false);
    const check = spawnSync("promtool", ["check", "metrics"], { input: await scrape(), encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
  });
});

describe("a mod-only process whose sys cannot be reached", () => {
  let mod: TestServer | undefined;
  let modDatabase: TestDatabase | undefined;
  afterAll(async () => {
    await mod?.stop();
    await modDatabase?.drop();
  });

  it("is alive (/healthz) but not ready (/readyz), and says why", async () => {
    modDatabase = await createTestDatabase("ops_metrics_mod");
    // Nothing listens on port 9 (discard) here.
    mod = await startInProcessServer({ POLITY_TIERS: "mod", POLITY_SYS_URL: "http://127.0.0.1:9", DATABASE_URL: modDatabase.url });
    const deadline = Date.now() + 15_000;
    let readyz = await fetch(`${mod.adminUrl}/readyz`);
    while (readyz.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      readyz = await fetch(`${mod.adminUrl}/readyz`);
    }
    expect([readyz.status, await readyz.text()]).toEqual([503, "NOT_READY: sys is unreachable\n"]);
    expect((await fetch(`${mod.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${mod.url}/readyz`)).status).toBe(503);
  }, 30_000);
});
