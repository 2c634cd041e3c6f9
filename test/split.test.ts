// sys and mod as two processes on PostgreSQL, each with its own database: the same decisions through the
// in-process and the remote authorization adapter, revocations reaching mod within the cache TTL, and mod
// failing closed while sys is away.
import { Code, ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { DiscoService } from "../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { registerAccountResources } from "../sys/account/index.js";
import { createAuthzEngine, createInProcessAuthorization } from "../sys/authz/index.js";
import { loadConfig } from "../sys/core/config.js";
import { type Database, openDatabase } from "../sys/core/db.js";
import type { AccessQuestion } from "../sys/core/ports/authorization-port.js";
import { createRemoteAuthorization } from "../sys/core/ports/remote-authorization.js";
import { createSysModules } from "../sys/cmd/modules.js";

const sysModules = createSysModules();
import { clientFor } from "./support/clients.js";
import { type Person, signIn, signUpVerified } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const TTL_MS = 1000;

describe("two binaries: polityd --tiers sys + polityd --tiers mod", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let admin: Person, alice: Person, bob: Person, carol: Person;
  let orgId: string, projectId: string;
  let engineDb: Database;

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("split_sys"), createTestDatabase("split_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url, POLITY_AUTHZ_CACHE_TTL_MS: String(TTL_MS) });
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => signUpVerified(sys.url, sys.logs, `${n}@example.org`)));
    const orgs = clientFor(OrgProjectService, sys.url, admin.token);
    orgId = (await orgs.createOrg({ slug: "split-org", displayName: "Split" })).org!.id;
    projectId = (await orgs.createProject({ orgId, slug: "p1", displayName: "P1" })).project!.id;
    const authz = clientFor(AuthzService, sys.url, admin.token);
    await authz.grantRole({ accountId: alice.accountId, role: "org.admin", resource: `org/${orgId}` });
    await authz.grantRole({ accountId: bob.accountId, role: "project.member", resource: `project/${projectId}` });
    engineDb = await openDatabase({
      tier: "sys",
      config: loadConfig({ env: {} }),
      logger: pino({ level: "silent" }),
      entities: sysModules.flatMap((m) => m.entities),
      migrations: [],
      url: sysDb.url,
    });
  });

  afterAll(async () => {
    await engineDb?.close();
    await mod?.stop();
    await sys?.stop();
    await sysDb?.drop();
    await modDb?.drop();
  });

  it("serves only its own tier's services in each process", async () => {
    expect(sys.logs.join("")).not.toContain('"polity.mod.disco.v1.DiscoService"');
    const listings = await clientFor(DiscoService, mod.url).listListings({});
    expect(listings.listings).toEqual([]);
  });

  it("gives identical decisions through the in-process and the remote adapter", async () => {
    const engine = createAuthzEngine({ db: engineDb, logger: pino({ level: "silent" }) });
    registerAccountResources(engine); // what the account module registers on its host's engine
    const local = createInProcessAuthorization(engine);
    const remote = createRemoteAuthorization({ sysUrl: sys.url, ttlMs: 0, logger: pino({ level: "silent" }) });
    const people = [admin, alice, bob, carol];
    const permissions = ["sys.org.read", "sys.org.update", "sys.project.read", "sys.project.update", "disco.listing.manage", "sys.role.grant", "sys.account.read", "sys.audit.read", ""];
    const resources = ["platform", `org/${orgId}`, `project/${projectId}`, `account/${bob.accountId}`];
    const questions: Array<AccessQuestion & { who: string }> = [];
    for (const person of people) {
      for (const permission of permissions) {
        for (const resource of resources) {
          questions.push({ who: person.email, principalId: person.accountId, permission, resource, bearer: `Bearer ${person.token}` });
        }
      }
    }
    const localDecisions = await local.checkBatch(questions);
    const remoteDecisions = await remote.checkBatch(questions);
    await remote.close?.();
    const summary = (d: { allowed: boolean; reason: string }) => `${d.allowed}:${d.reason}`;
    expect(remoteDecisions.map(summary)).toEqual(localDecisions.map(summary));
    // The matrix is not trivially uniform: it holds grants and denials for several reasons.
    const outcomes = new Set(localDecisions.map(summary));
    expect(outcomes.size).toBeGreaterThan(2);
    const aliceUpdatesOrg = questions.findIndex((q) => q.who === alice.email && q.permission === "sys.org.update" && q.resource === `org/${orgId}`);
    expect(localDecisions[aliceUpdatesOrg].allowed).toBe(true);
    const carolReadsOrg = questions.findIndex((q) => q.who === carol.email && q.permission === "sys.org.read" && q.resource === `org/${orgId}`);
    expect(localDecisions[carolReadsOrg].allowed).toBe(false);
  });

  it("applies a role revocation in mod within the decision cache TTL", async () => {
    const disco = clientFor(DiscoService, mod.url, alice.token);
    await disco.createListing({ orgId, title: "Join us", summary: "We need translators" });
    await clientFor(AuthzService, sys.url, admin.token).revokeRole({ accountId: alice.accountId, role: "org.admin", resource: `org/${orgId}` });
    const revokedAt = Date.now();
    let deniedAfter: number | undefined;
    while (Date.now() - revokedAt < TTL_MS + 3000) {
      try {
        await disco.createListing({ orgId, title: "Still here?", summary: "probe" });
      } catch (error) {
        expect(ConnectError.from(error).code).toBe(Code.PermissionDenied);
        deniedAfter = Date.now() - revokedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(deniedAfter).toBeDefined();
    expect(deniedAfter!).toBeLessThanOrEqual(TTL_MS + 500);
  });

  it("fails closed while sys is down and recovers when it is back", async () => {
    const bobDisco = clientFor(DiscoService, mod.url, bob.token);
    await sys.stop();
    const health = clientFor(Health, mod.url);
    let status = HealthCheckResponse_ServingStatus.SERVING;
    for (let i = 0; i < 50 && status === HealthCheckResponse_ServingStatus.SERVING; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await health.check({})).status;
    }
    expect(status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    const refused = await bobDisco.createListing({ orgId, title: "While down", summary: "x" }).catch((e: unknown) => ConnectError.from(e));
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.Unavailable);

    sys = await startProcessServer(["--tiers", "sys", "--port", String(new URL(sys.url).port)], { DATABASE_URL: sysDb.url });
    for (let i = 0; i < 50 && status !== HealthCheckResponse_ServingStatus.SERVING; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await health.check({})).status;
    }
    expect(status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});
