// AuthzService handlers over an in-memory router (the guard is tested elsewhere; here the caller is injected).
import { Code, type ConnectRouter, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { principalKey } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import type { AuthzEngine, SysContext } from "../core/sys-context.js";
import { createAuthzService } from "./authz-service.js";
import { createSeeder, createTestEngine, openTestDb, type TestDb } from "./test-support.js";

describe("AuthzService", () => {
  let t: TestDb;
  let engine: AuthzEngine;
  let ids: Record<string, string>;
  let as: (accountId: string) => ReturnType<typeof createClient<typeof AuthzService>>;

  beforeAll(async () => {
    t = await openTestDb("pglite", "authz_service");
    const logger = pino({ level: "silent" });
    engine = createTestEngine(t.db, logger);
    const seed = createSeeder(t.db);
    const org = await seed.org();
    ids = { org, project: await seed.project(org), root: await seed.person({ name: "Root" }), admin: await seed.person({ name: "Alice" }), member: await seed.person({ name: "Bob" }) };
    for (let i = 0; i < 5; i++) ids[`p${i}`] = await seed.person({ name: `Zed${i}` });
    await engine.grant({ actorId: "", accountId: ids.root!, role: "platform.superadmin", resource: "platform", system: true });
    await engine.grant({ actorId: "", accountId: ids.admin!, role: "org.admin", resource: `org/${org}`, system: true });
    const ctx = { logger, db: t.db, engine } as unknown as SysContext;
    const caller: Interceptor = (next) => (req) => {
      req.contextValues.set(principalKey, { accountId: req.header.get("x-as") ?? "", kind: "person", sessionId: "" });
      return next(req);
    };
    const routes = (router: ConnectRouter) => router.service(AuthzService, createAuthzService(ctx));
    as = (accountId) => {
      const setCaller: Interceptor = (next) => (req) => {
        req.header.set("x-as", accountId);
        return next(req);
      };
      return createClient(AuthzService, createRouterTransport(routes, { transport: { interceptors: [setCaller] }, router: { interceptors: [caller] } }));
    };
  });
  afterAll(async () => t?.cleanup());

  const refusal = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (error: unknown) => error);
    expect(e).toBeInstanceOf(ConnectError);
    return [(e as ConnectError).code, reasonOf(e)];
  };

  it("grants and revokes with the caller as actor, mapping refusals", async () => {
    const resource = `org/${ids.org}`;
    const { binding } = await as(ids.admin!).grantRole({ accountId: ids.member!, role: "org.member", resource });
    expect(binding).toMatchObject({ accountId: ids.member, role: "org.member", resource, grantedBy: ids.admin, accountDisplayName: "Bob" });
    expect(await refusal(as(ids.admin!).grantRole({ accountId: ids.admin!, role: "org.member", resource }))).toEqual([Code.PermissionDenied, "CANNOT_GRANT_TO_SELF"]);
    expect(await refusal(as(ids.member!).grantRole({ accountId: ids.p0!, role: "org.admin", resource }))).toEqual([Code.PermissionDenied, "ROLE_ABOVE_OWN"]);
    expect(await refusal(as(ids.admin!).grantRole({ accountId: ids.p0!, role: "org.owner", resource }))).toEqual([Code.InvalidArgument, "UNKNOWN_ROLE"]);
    expect(await refusal(as(ids.admin!).grantRole({ accountId: ids.p0!, role: "project.admin", resource }))).toEqual([Code.InvalidArgument, "ROLE_SCOPE_MISMATCH"]);
    await as(ids.admin!).revokeRole({ accountId: ids.member!, role: "org.member", resource });
    expect(await refusal(as(ids.admin!).revokeRole({ accountId: ids.member!, role: "org.member", resource }))).toEqual([Code.NotFound, "NOT_FOUND"]);
  });

  it("lists a resource's members page by page, searchable by name or email", async () => {
    const resource = `project/${ids.project}`;
    for (let i = 0; i < 5; i++) await as(ids.admin!).grantRole({ accountId: ids[`p${i}`]!, role: "project.member", resource });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await as(ids.admin!).listRoleBindings({ resource, pageSize: 2, pageToken });
      expect(page.bindings.length).toBeLessThanOrEqual(2);
      seen.push(...page.bindings.map((b) => b.accountDisplayName));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["Zed0", "Zed1", "Zed2", "Zed3", "Zed4"]);
    expect((await as(ids.admin!).listRoleBindings({ resource, query: "zed3" })).bindings.map((b) => b.accountDisplayName)).toEqual(["Zed3"]);
    expect(await refusal(as(ids.admin!).listRoleBindings({ resource, pageToken: "garbage" }))).toEqual([Code.InvalidArgument, "INVALID_PAGE_TOKEN"]);
  });

  it("shows and searches emails only for those who may read them: admins and platform roles, not members", async () => {
    const resource = `org/${ids.org}`;
    await as(ids.admin!).grantRole({ accountId: ids.member!, role: "org.member", resource });
    const emailOf = (name: string) => new RegExp(`^${name.toLowerCase()}-[0-9a-f]{8}@example\\.org$`);
    for (const reader of [ids.admin!, ids.root!]) {
      const listed = await as(reader).listRoleBindings({ resource });
      expect(listed.bindings.find((b) => b.accountId === ids.member)!.accountEmail).toMatch(emailOf("Bob"));
      expect((await as(reader).listRoleBindings({ resource, query: "bob-" })).bindings.map((b) => b.accountDisplayName)).toEqual(["Bob"]);
    }
    // A plain member sees names only, and a search by email matches nothing (it would tell whose address it is).
    const asMember = await as(ids.member!).listRoleBindings({ resource });
    expect(asMember.bindings.map((b) => b.accountDisplayName).sort()).toEqual(["Alice", "Bob"]);
    expect(asMember.bindings.map((b) => b.accountEmail)).toEqual(["", ""]);
    expect((await as(ids.member!).listRoleBindings({ resource, query: "bob-" })).bindings).toEqual([]);
    expect((await as(ids.member!).listRoleBindings({ resource, query: "@example.org" })).bindings).toEqual([]);
    expect((await as(ids.member!).listRoleBindings({ resource, query: "bob" })).bindings.map((b) => b.accountDisplayName)).toEqual(["Bob"]);
    await as(ids.admin!).revokeRole({ accountId: ids.member!, role: "org.member", resource });
  });

  it("answers Explain only about the asker's members; anyone else is NOT_FOUND, existing or not", async () => {
    const q = (principalId: string) => ({ principalId, permission: "sys.org.update", resource: `org/${ids.org}` });
    expect((await as(ids.admin!).explain(q(ids.admin!))).decision).toMatchObject({ allowed: true });
    // Root is a superadmin, Bob holds no role here any more; p0 is a member of the org's project, so visible.
    expect((await as(ids.admin!).explain(q(ids.p0!))).bindings).toEqual([]);
    for (const subject of [ids.root!, ids.member!, crypto.randomUUID()]) {
      expect(await refusal(as(ids.admin!).explain(q(subject)))).toEqual([Code.NotFound, "NOT_FOUND"]);
    }
    expect((await as(ids.root!).explain(q(ids.member!))).decision).toMatchObject({ allowed: false, reason: "no_role" });
  });

  it("explains, lists roles and the audit log newest first", async () => {
    const explained = await as(ids.root!).explain({ principalId: ids.admin!, permission: "sys.project.update", resource: `project/${ids.project}` });
    expect(explained.decision).toMatchObject({ allowed: true, grantedByRole: "org.admin" });
    expect(explained.bindings.map((b) => [b.role, b.grantsPermission])).toEqual([["org.admin", true]]);
    expect((await as(ids.member!).listRoles({})).roles.map((r) => r.name)).toContain("community.moderator");
    await engine.check({ principalId: ids.member!, permission: "sys.org.delete", resource: `org/${ids.org}` });
    const first = await as(ids.root!).listAuditEvents({ pageSize: 1 });
    expect(first.events[0]).toMatchObject({ kind: "denied", actorId: ids.member, permission: "sys.org.delete" });
    const second = await as(ids.root!).listAuditEvents({ pageSize: 1, pageToken: first.nextPageToken });
    expect(second.events[0]!.time!.seconds <= first.events[0]!.time!.seconds).toBe(true);
    expect(second.events[0]!.id).not.toBe(first.events[0]!.id);
    const granted = await as(ids.root!).listAuditEvents({ kind: "role_granted", pageSize: 500 });
    expect(granted.events.length).toBe(9); // 2 at setup, 2 org.member, 5 project.member
  });

  it("names the log's accounts and resources only as far as the asker may see them", async () => {
    const other = await createSeeder(t.db).org();
    await engine.grant({ actorId: ids.root!, accountId: ids.p1!, role: "org.member", resource: `org/${other}` });
    await engine.grant({ actorId: ids.root!, accountId: ids.p2!, role: "org.member", resource: `org/${ids.org}` });
    // The two grants may share a millisecond, so their order is not asserted.
    const bySubject = <E extends { subjectId: string }>(events: E[]): E[] => [...events].sort((a, b) => (a.subjectId === ids.p1 ? -1 : b.subjectId === ids.p1 ? 1 : 0));
    const byRoot = bySubject((await as(ids.root!).listAuditEvents({ kind: "role_granted", pageSize: 2 })).events);
    expect(byRoot.map((e) => [e.subjectName.split(" ")[0], e.actorName.split(" ")[0], e.resourceName])).toEqual([["Zed1", "Root", expect.stringMatching(/^Org /)], ["Zed2", "Root", expect.stringMatching(/^Org /)]]);
    expect(byRoot[1]!.subjectName).toMatch(/^Zed2 <zed2-[0-9a-f]{8}@example\.org>$/);
    // The handler behind the guard, asked by an org admin (the guard would refuse: this tests the names alone):
    // no account names (not a platform reader), the name of its own org only.
    const byAdmin = bySubject((await as(ids.admin!).listAuditEvents({ kind: "role_granted", pageSize: 2 })).events);
    expect(byAdmin.map((e) => [e.subjectName, e.actorName, e.resourceName !== ""])).toEqual([["", "", false], ["", "", true]]);
  });

  it("answers Check about oneself, and about others only for platform roles", async () => {
    const q = { principalId: ids.admin!, permission: "sys.org.update", resource: `org/${ids.org}` };
    expect((await as(ids.admin!).check({ question: q })).decision).toMatchObject({ allowed: true, grantedByRole: "org.admin" });
    expect((await as(ids.root!).checkBatch({ questions: [q, { ...q, principalId: ids.member! }] })).decisions.map((d) => d.allowed)).toEqual([true, false]);
    expect(await refusal(as(ids.member!).check({ question: q }))).toEqual([Code.PermissionDenied, "CHECK_OTHERS_DENIED"]);
  });
});
