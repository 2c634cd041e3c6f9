// The decision engine against a real database, on PGlite and on PostgreSQL.
import { Code, ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reasonOf } from "../core/errors.js";
import { query } from "../core/sql.js";
import type { AuthzEngine } from "../core/sys-context.js";
import { AuditEventEntity } from "./entities.js";
import { type Backend, createSeeder, createTestEngine, openTestDb, type TestDb } from "./test-support.js";

async function refusal(promise: Promise<unknown>): Promise<{ code: Code; reason: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return { code: (error as ConnectError).code, reason: reasonOf(error) };
  }
  throw new Error("expected a refusal");
}

describe.each<Backend>(["pglite", "postgres"])("authz engine on %s", (backend) => {
  let t: TestDb;
  let engine: AuthzEngine;
  let ids: Record<string, string>;
  const communityOrg = new Map<string, string>();

  beforeAll(async () => {
    t = await openTestDb(backend, "authz_engine");
    engine = createTestEngine(t.db);
    const seed = createSeeder(t.db);
    const orgA = await seed.org();
    const orgB = await seed.org();
    ids = {
      orgA,
      orgB,
      projA: await seed.project(orgA),
      projB: await seed.project(orgB),
      root: await seed.person({ name: "Root" }),
      ops: await seed.person({ name: "Ops" }),
      adminA: await seed.person({ name: "Alice" }),
      adminA2: await seed.person({ name: "Amir" }),
      memberA: await seed.person({ name: "Bob" }),
      projAdmin: await seed.person({ name: "Carol" }),
      outsider: await seed.person({ name: "Dave" }),
      disabled: await seed.person({ name: "Eve", disabled: true }),
      unverified: await seed.person({ name: "Fay", verified: false }),
      svcA: await seed.service(orgA),
      community: crypto.randomUUID(),
    };
    communityOrg.set(ids.community, orgA);
    engine.resources.registerParent("community", async (id) => (communityOrg.has(id) ? `org/${communityOrg.get(id)}` : undefined));
    const sys = (accountId: string, role: string, resource: string) => engine.grant({ actorId: "", accountId, role, resource, system: true });
    await sys(ids.root, "platform.superadmin", "platform");
    await sys(ids.ops, "platform.ops", "platform");
    await sys(ids.adminA, "org.admin", `org/${orgA}`);
    await sys(ids.adminA2, "org.admin", `org/${orgA}`);
    // Bob's nearest binding (project.member) does not grant project updates; his org.admin on B must not leak to A.
    await sys(ids.memberA, "org.member", `org/${orgA}`);
    await sys(ids.memberA, "project.member", `project/${ids.projA}`);
    await sys(ids.memberA, "org.admin", `org/${orgB}`);
    await sys(ids.projAdmin, "project.admin", `project/${ids.projA}`);
    await sys(ids.projAdmin, "org.guest", `org/${orgA}`);
  });
  afterAll(async () => t?.cleanup());

  /** Whether some session of this database waits on a row or index lock (the second granter). */
  const waitingOnALock = async () => {
    const [row] = await query<{ n: number }>(t.db.em(), "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    return Number(row?.n) > 0;
  };

  const ask = (who: string, permission: string, resource: string, allowRestricted = false) =>
    engine.check({ principalId: ids[who] ?? who, permission, resource, allowRestricted });

  it("applies roles down the scope tree: platform → org → project/community/service account", async () => {
    const { orgA, projA, projB, svcA, community } = ids;
    expect(await ask("root", "anything.at.all", `project/${projB}`)).toMatchObject({ allowed: true, grantedByRole: "platform.superadmin", grantedOnResource: "platform" });
    expect(await ask("adminA", "sys.project.update", `project/${projA}`)).toMatchObject({ allowed: true, reason: "granted", grantedByRole: "org.admin", grantedOnResource: `org/${orgA}` });
    expect(await ask("adminA", "sys.project.update", `project/${projB}`)).toMatchObject({ allowed: false, reason: "no_role" });
    expect(await ask("adminA", "sys.service_account.manage", `account/${svcA}`)).toMatchObject({ allowed: true, grantedOnResource: `org/${orgA}` });
    expect(await ask("memberA", "sys.service_account.manage", `account/${svcA}`)).toMatchObject({ allowed: false });
    expect(await ask("adminA", "voting.poll.create", `community/${community}`)).toMatchObject({ allowed: true, grantedByRole: "org.admin" });
    expect(await ask("outsider", "voting.poll.read", `community/${community}`)).toMatchObject({ allowed: false, reason: "no_role" });
  });

  it("considers every binding, not only the nearest", async () => {
    const { projA, projB } = ids;
    expect(await ask("memberA", "sys.project.read", `project/${projA}`)).toMatchObject({ allowed: true, grantedByRole: "project.member" });
    expect(await ask("memberA", "sys.project.update", `project/${projA}`)).toMatchObject({ allowed: false, reason: "no_role" });
    expect(await ask("memberA", "sys.project.update", `project/${projB}`)).toMatchObject({ allowed: true, grantedByRole: "org.admin" });
    // Carol: org.guest (nearer the top) cannot, project.admin (nearest) can.
    expect(await ask("projAdmin", "sys.project.update", `project/${projA}`)).toMatchObject({ allowed: true, grantedByRole: "project.admin" });
    const explained = await engine.explain({ principalId: ids.memberA, permission: "sys.project.update", resource: `project/${projA}` }, ids.root);
    expect(explained.bindings).toEqual([
      { role: "project.member", resource: `project/${projA}`, grantsPermission: false },
      { role: "org.member", resource: `org/${ids.orgA}`, grantsPermission: false },
    ]);
  });

  it("scopes Explain to the asker's members, alike for unknown and foreign ids, and hides platform roles", async () => {
    const { orgA, projA } = ids;
    const q = (principalId: string, permission = "sys.org.delete", resource = `org/${orgA}`) => ({ principalId, permission, resource });
    const seed = createSeeder(t.db);
    // A member of org A who is also a superadmin: org A's admins see the member, never the platform role.
    const superMember = await seed.person({ name: "Sue" });
    await engine.grant({ actorId: "", accountId: superMember, role: "org.member", resource: `org/${orgA}`, system: true });
    await engine.grant({ actorId: "", accountId: superMember, role: "platform.superadmin", resource: "platform", system: true });
    const scoped = await engine.explain(q(superMember), ids.adminA);
    expect(scoped.decision).toMatchObject({ allowed: false, reason: "no_role" });
    expect(scoped.bindings).toEqual([{ role: "org.member", resource: `org/${orgA}`, grantsPermission: false }]);
    expect((await engine.explain(q(superMember), ids.root)).decision).toMatchObject({ allowed: true, grantedByRole: "platform.superadmin" });
    expect((await engine.explain(q(superMember), ids.ops)).bindings.map((b) => b.role)).toContain("platform.superadmin");
    expect((await engine.explain(q(ids.adminA), ids.adminA)).decision).toMatchObject({ allowed: true, grantedByRole: "org.admin" });
    // Not a member of anything org A's admin runs: the same NOT_FOUND as an id that does not exist.
    const notFound = { code: Code.NotFound, reason: "NOT_FOUND" };
    for (const subject of [ids.outsider, ids.disabled, ids.ops, ids.root, crypto.randomUUID()]) {
      expect(await refusal(engine.explain(q(subject), ids.adminA))).toEqual(notFound);
    }
    // A project admin sees the project's members, and only the bindings it could list (not the org's).
    const inProject = await engine.explain(q(ids.memberA, "sys.project.update", `project/${projA}`), ids.projAdmin);
    expect(inProject.bindings).toEqual([{ role: "project.member", resource: `project/${projA}`, grantsPermission: false }]);
    expect(await refusal(engine.explain(q(ids.adminA2, "sys.project.update", `project/${projA}`), ids.projAdmin))).toEqual(notFound);
    await engine.removeBindings({ accountId: superMember });
  });

  it("rank-checks acting on an account: ops cannot disable a superadmin, nobody acts on themselves", async () => {
    const manage = (actor: string, subject: string) => engine.mayManageAccount({ actorId: ids[actor]!, accountId: ids[subject]! });
    expect(await refusal(manage("ops", "root"))).toEqual({ code: Code.PermissionDenied, reason: "ACCOUNT_ABOVE_OWN" });
    expect(await refusal(manage("ops", "ops"))).toEqual({ code: Code.PermissionDenied, reason: "CANNOT_MANAGE_SELF" });
    // Bob is org.admin of org B: an org admin of A holds no rank over his account.
    expect(await refusal(manage("adminA", "memberA"))).toEqual({ code: Code.PermissionDenied, reason: "ACCOUNT_ABOVE_OWN" });
    await expect(manage("ops", "adminA")).resolves.toBeUndefined();
    await expect(manage("ops", "outsider")).resolves.toBeUndefined();
    await expect(manage("root", "ops")).resolves.toBeUndefined();
  });

  it("platform.ops reads everything and disables accounts, nothing more", async () => {
    expect(await ask("ops", "sys.org.read", `org/${ids.orgB}`)).toMatchObject({ allowed: true, grantedByRole: "platform.ops" });
    expect(await ask("ops", "sys.account.disable", `account/${ids.adminA}`)).toMatchObject({ allowed: true });
    expect(await ask("ops", "sys.org.update", `org/${ids.orgB}`)).toMatchObject({ allowed: false });
    expect(await ask("ops", "sys.role.grant", "platform")).toMatchObject({ allowed: false });
  });

  it("answers self, baseline and account-state questions", async () => {
    expect(await ask("outsider", "sys.account.update", `account/${ids.outsider}`)).toEqual({ allowed: true, reason: "self" });
    expect(await ask("outsider", "sys.account.update", `account/${ids.adminA}`)).toMatchObject({ allowed: false, reason: "no_role" });
    expect(await ask("outsider", "", "platform")).toEqual({ allowed: true, reason: "authenticated" });
    expect(await ask("outsider", "sys.org.create", "platform")).toMatchObject({ allowed: true });
    expect(await ask("svcA", "sys.org.create", "platform")).toMatchObject({ allowed: false });
    expect(await ask("disabled", "", "platform")).toMatchObject({ allowed: false, reason: "account_disabled" });
    expect(await ask("disabled", "", "platform", true)).toMatchObject({ allowed: true });
    expect(await ask("unverified", "sys.account.read", `account/${ids.unverified}`)).toMatchObject({ allowed: false, reason: "email_unverified" });
    expect(await ask("unverified", "sys.account.read", `account/${ids.unverified}`, true)).toMatchObject({ allowed: true, reason: "self" });
    expect(await ask(crypto.randomUUID(), "", "platform")).toMatchObject({ allowed: false, reason: "unknown_principal" });
    expect(await ask("not-a-uuid", "sys.org.read", "org/x")).toMatchObject({ allowed: false, reason: "unknown_principal" });
    expect(await engine.check({ principalId: "", permission: "", resource: "platform" })).toMatchObject({ allowed: false, reason: "unauthenticated" });
  });

  it("answers a batch exactly like single checks, in order", async () => {
    const questions = ["root", "adminA", "memberA", "outsider", "disabled", "nobody"].flatMap((who) =>
      ["sys.project.update", "sys.project.read", ""].flatMap((permission) =>
        [`project/${ids.projA}`, `project/${ids.projB}`, `org/${ids.orgA}`].map((resource) => ({ principalId: ids[who] ?? who, permission, resource })),
      ),
    );
    const batch = await engine.checkBatch(questions);
    const single = await Promise.all(questions.map((q) => engine.check(q)));
    expect(batch).toEqual(single);
    expect(batch.filter((d) => d.allowed).length).toBeGreaterThan(10);
    expect(batch.filter((d) => !d.allowed).length).toBeGreaterThan(10);
  });

  it("writes denials to the audit log", async () => {
    const resource = `org/${ids.orgB}`;
    await ask("outsider", "sys.org.delete", resource);
    const rows = await t.db.em().find(AuditEventEntity, { kind: "denied", actorId: ids.outsider, resource });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ permission: "sys.org.delete", reason: "no_role" });
  });

  it("refuses grants to oneself and above one's own rank", async () => {
    const { orgA, projA } = ids;
    expect(await refusal(engine.grant({ actorId: ids.adminA, accountId: ids.adminA, role: "org.member", resource: `org/${orgA}` }))).toEqual({ code: Code.PermissionDenied, reason: "CANNOT_GRANT_TO_SELF" });
    expect(await refusal(engine.grant({ actorId: ids.memberA, accountId: ids.outsider, role: "org.admin", resource: `org/${orgA}` }))).toEqual({ code: Code.PermissionDenied, reason: "ROLE_ABOVE_OWN" });
    expect(await refusal(engine.grant({ actorId: ids.projAdmin, accountId: ids.outsider, role: "org.member", resource: `org/${orgA}` }))).toEqual({ code: Code.PermissionDenied, reason: "ROLE_ABOVE_OWN" });
    expect(await refusal(engine.grant({ actorId: ids.adminA, accountId: ids.outsider, role: "platform.ops", resource: "platform" }))).toEqual({ code: Code.PermissionDenied, reason: "ROLE_ABOVE_OWN" });
    expect(await refusal(engine.grant({ actorId: ids.root, accountId: ids.outsider, role: "org.boss", resource: `org/${orgA}` }))).toEqual({ code: Code.InvalidArgument, reason: "UNKNOWN_ROLE" });
    expect(await refusal(engine.grant({ actorId: ids.root, accountId: ids.outsider, role: "org.admin", resource: `project/${projA}` }))).toEqual({ code: Code.InvalidArgument, reason: "ROLE_SCOPE_MISMATCH" });
    expect(await refusal(engine.grant({ actorId: ids.root, accountId: crypto.randomUUID(), role: "org.admin", resource: `org/${orgA}` }))).toMatchObject({ code: Code.NotFound });
    expect(await refusal(engine.revoke({ actorId: ids.adminA, accountId: ids.adminA2, role: "org.guest", resource: `org/${orgA}` }))).toMatchObject({ code: Code.NotFound });
  });

  it("grants and revokes at or below one's rank, audited, and decisions follow at once", async () => {
    const { orgA, projA } = ids;
    const resource = `project/${projA}`;
    expect(await ask("outsider", "sys.project.update", resource)).toMatchObject({ allowed: false });
    // An org admin hands out a project role below, and a fellow org admin's role equal to their own.
    const binding = await engine.grant({ actorId: ids.adminA, accountId: ids.outsider, role: "project.admin", resource });
    expect(binding).toMatchObject({ accountId: ids.outsider, role: "project.admin", resource, grantedBy: ids.adminA });
    expect((await engine.grant({ actorId: ids.adminA, accountId: ids.outsider, role: "project.admin", resource })).id).toBe(binding.id);
    expect(await ask("outsider", "sys.project.update", resource)).toMatchObject({ allowed: true, grantedByRole: "project.admin" });
    await engine.grant({ actorId: ids.adminA2, accountId: ids.outsider, role: "org.admin", resource: `org/${orgA}` });
    await engine.grant({ actorId: ids.root, accountId: ids.outsider, role: "platform.ops", resource: "platform" });
    expect(await engine.visibleOrgIds(ids.outsider)).toBe("all");
    await engine.revoke({ actorId: ids.root, accountId: ids.outsider, role: "platform.ops", resource: "platform" });
    expect(await engine.visibleOrgIds(ids.outsider)).toEqual([orgA]);
    await engine.revoke({ actorId: ids.adminA, accountId: ids.outsider, role: "org.admin", resource: `org/${orgA}` });
    await engine.revoke({ actorId: ids.adminA, accountId: ids.outsider, role: "project.admin", resource });
    expect(await ask("outsider", "sys.project.update", resource)).toMatchObject({ allowed: false });
    const kinds = (await t.db.em().find(AuditEventEntity, { subjectId: ids.outsider }, { orderBy: { time: "asc" } })).map((e) => `${e.kind}:${e.role}`);
    expect(kinds.sort()).toEqual(["role_granted:org.admin", "role_granted:platform.ops", "role_granted:project.admin", "role_revoked:org.admin", "role_revoked:platform.ops", "role_revoked:project.admin"].sort());
  });

  it.skipIf(backend === "pglite")("keeps one binding, and the second granter's transaction usable, when the same role is granted concurrently", async () => {
    const newcomer = await createSeeder(t.db).person({ name: "Newcomer" });
    const change = { actorId: "", accountId: newcomer, role: "org.member", resource: `org/${ids.orgB}`, system: true };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let granted!: () => void;
    const firstInserted = new Promise<void>((resolve) => (granted = resolve));
    // The first granter inserts and holds its transaction open; the second one's insert then waits on it.
    const first = t.db.em().transactional(async (tx) => {
      const binding = await engine.grant(change, tx as never);
      granted();
      await held;
      return binding.id;
    });
    await firstInserted;
    const second = t.db.em().transactional(async (tx) => {
      const binding = await engine.grant(change, tx as never);
      // Still usable after the grant: a caught unique violation would have aborted the transaction.
      await tx.count(AuditEventEntity, {});
      return binding.id;
    });
    while (!(await waitingOnALock())) await new Promise((resolve) => setImmediate(resolve));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect((await engine.bindingsOf(newcomer)).map((x) => x.id)).toEqual([a]);
  });

  it("applies the grant rank rule alone to roles handed out later (invites)", async () => {
    const community = `community/${ids.community}`;
    await expect(engine.mayHandOut({ actorId: ids.adminA!, role: "community.admin", resource: community })).resolves.toBeUndefined();
    await expect(engine.mayHandOut({ actorId: ids.root!, role: "community.admin", resource: community })).resolves.toBeUndefined();
    expect(await refusal(engine.mayHandOut({ actorId: ids.outsider!, role: "community.member", resource: community }))).toEqual({ code: Code.PermissionDenied, reason: "ROLE_ABOVE_OWN" });
    // Bob is org.admin of B, not of A: his rank over A's community is org.member's.
    expect(await refusal(engine.mayHandOut({ actorId: ids.memberA!, role: "community.admin", resource: community }))).toEqual({ code: Code.PermissionDenied, reason: "ROLE_ABOVE_OWN" });
  });

  it("lists bindings and visible orgs/projects, removes bindings", async () => {
    expect(await engine.hasSuperadmin()).toBe(true);
    expect((await engine.bindingsOf(ids.memberA)).map((b) => b.role).sort()).toEqual(["org.admin", "org.member", "project.member"]);
    const visible = await engine.visibleOrgIds(ids.memberA);
    expect(visible === "all" ? visible : [...visible].sort()).toEqual([ids.orgA, ids.orgB].sort());
    expect(await engine.visibleOrgIds(ids.root)).toBe("all");
    expect(await engine.visibleProjectIds(ids.memberA, ids.orgA)).toBe("all"); // org.member reads every project
    expect(await engine.visibleProjectIds(ids.projAdmin, ids.orgA)).toEqual([ids.projA]); // org.guest does not
    expect(await engine.visibleProjectIds(ids.outsider, ids.orgA)).toEqual([]);
    await engine.removeBindings({ accountId: ids.projAdmin });
    expect(await engine.bindingsOf(ids.projAdmin)).toEqual([]);
    await engine.removeBindings({ resourcePrefix: `project/${ids.projA}` });
    expect(await ask("memberA", "sys.project.read", `project/${ids.projA}`)).toMatchObject({ grantedByRole: "org.member" });
  });
});
