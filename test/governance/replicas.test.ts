// Two mod replicas on one PostgreSQL share the background work without doing any of it twice: each pending
// process is updated by exactly one replica at a time (a probe plugin counts its updates and any overlap), and an
// event producer runs once per interval across both, not once per replica.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ProcessStatus } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { createPolityClient } from "../../clients/src/node.js";
import { definePlugin } from "../../mod/governance/sdk/define-plugin.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "replicas-admin@example.org", password: "a long admin password" };
const UPDATES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function createProbe() {
  const updates = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  let producing = 0;
  let produced = 0;
  const plugin = definePlugin({
    name: "probe",
    description: "Counts what the replicas do",
    authType: "none",
    config: { type: "object", properties: {} },
    processes: {
      count: {
        description: "Completes after a fixed number of updates",
        input: { type: "object", properties: {} },
        outcome: { type: "object", properties: { updates: { type: "integer" } } },
        start: async () => ({ status: "pending", nextUpdateAt: new Date() }),
        update: async (_ctx, process) => {
          const running = (inFlight.get(process.id) ?? 0) + 1;
          inFlight.set(process.id, running);
          if (running > 1) overlaps++;
          await sleep(30);
          inFlight.set(process.id, running - 1);
          const done = (updates.get(process.id) ?? 0) + 1;
          updates.set(process.id, done);
          return done >= UPDATES ? { status: "completed", outcome: { updates: done } } : { nextUpdateAt: new Date() };
        },
      },
    },
    events: ["tick"],
    producer: {
      intervalSeconds: 1,
      produce: async () => {
        if (++producing > 1) overlaps++;
        await sleep(30);
        producing--;
        produced++;
        return [{ type: "tick", data: { n: produced } }];
      },
    },
  });
  return { plugin, updates, overlaps: () => overlaps, produced: () => produced };
}

describe("two mod replicas on one PostgreSQL", () => {
  let database: TestDatabase;
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it("update each process and run each producer on one replica at a time", { timeout: 120_000 }, async () => {
    database = await createTestDatabase("gov_replicas");
    const probe = createProbe();
    const env = { DATABASE_URL: database.url, POLITY_SECRETS_KEY: randomBytes(32).toString("base64"), POLITY_GOVERNANCE_SWEEP_INTERVAL_SECONDS: "1", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
    servers.push(await startInProcessServer(env, { mod: { governancePlugins: [probe.plugin] } }));
    servers.push(await startInProcessServer(env, { mod: { governancePlugins: [probe.plugin] } }));
    const admin = createPolityClient({ baseUrl: servers[0].url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "replicas", displayName: "Replicas" });
    const { community } = await admin.communities.createCommunity({ orgId: org!.id, slug: "shared-work", name: "Shared work", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
    const communityId = community!.id;
    const enabledAt = Date.now();
    await admin.governance.enablePlugin({ communityId, plugin: "probe" });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await admin.governance.startProcess({ communityId, process: "probe.count" })).process!.id);

    const deadline = Date.now() + 60_000;
    let pending = ids.length;
    while (pending > 0 && Date.now() < deadline) {
      await sleep(200);
      const { processes } = await admin.governance.listProcesses({ communityId, statuses: [ProcessStatus.COMPLETED] });
      pending = ids.length - processes.length;
    }
    expect(pending).toBe(0);
    expect(ids.map((id) => probe.updates.get(id))).toEqual(ids.map(() => UPDATES));
    await sleep(3000);
    const seconds = (Date.now() - enabledAt) / 1000;
    const { events } = await admin.governance.listEvents({ communityId, types: ["probe.tick"], pageSize: 500 });
    // A run may be between its produce() and its commit while we read.
    expect(probe.produced() - events.length).toBeLessThanOrEqual(1);
    expect(probe.produced()).toBeGreaterThanOrEqual(2);
    expect(probe.produced()).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(probe.overlaps()).toBe(0);
  });
});
