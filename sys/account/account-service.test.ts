// AccountService and OrgProjectService handlers against the real authz engine on PGlite and PostgreSQL.
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Principal } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import { createAuthModule } from "../auth/module.js";
import { Session } from "../auth/index.js";
import { createAccountService } from "./account-service.js";
import { Account } from "./entities.js";
import { createOrgProjectService } from "./org-project-service.js";
import { createTestSys, DB_KINDS, direct, handlerContext, serviceOf, type DirectService, type TestSys } from "../shared/test-support.js";
import { AccountKind, AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";

async function failure(promise: Promise<unknown>): Promise<{ code: Code; reason: string | undefined; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return { code: error.code, reason: reasonOf(error), message: error.rawMessage };
}
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe.each(DB_KINDS)("AccountService and OrgProjectService on %s", (kind) => {
  let t: TestSys;
  let accounts: DirectService<typeof AccountService>;
  let orgs: DirectService<typeof OrgProjectService>;
  let admin: Principal;
  let alice: Principal;
  const as = (p: Principal) => handlerContext(p);

  async function person(email: string): Promise<Principal> {
    const res = await serviceOf(createAuthModule(), t.ctx, AuthService).register({ email, password: "a long enough passphrase", displayName: email.split("@")[0]! }, handlerContext());
    const sessions = await t.db.em().find(Session, { accountId: res.accountId });
    return { accountId: res.accountId, kind: "person", sessionId: sessions[0]!.id };
  }

  beforeAll(async () => {
    t = await createTestSys(kind);
    accounts = direct(AccountService, createAccountService(t.ctx));
    orgs = direct(OrgProjectService, createOrgProjectService(t.ctx));
    admin = await person("admin@example.org");
    await t.ctx.engine.grant({ actorId: "system", accountId: admin.accountId, role: "platform.superadmin", resource: "platform", system: true });
    alice = await person("alice@example.org");
    for (let i = 0; i < 5; i++) await person(`user${i}@example.org`);
  });
  afterAll(async () => t.cleanup());

  it("pages through accounts with an opaque keyset cursor, filters by query and kind", async () => {
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await accounts.listAccounts({ pageSize: 3, pageToken, query: "", kind: AccountKind.UNSPECIFIED }, as(admin));
      expect(page.accounts.length).toBeLessThanOrEqual(3);
      seen.push(...page.accounts.map((a) => a.email));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const found = await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "USER3", kind: AccountKind.PERSON }, as(admin));
    expect(found.accounts.map((a) => a.email)).toEqual(["user3@example.org"]);
    expect((await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "%", kind: 0 }, as(admin))).accounts).toEqual([]);
    const bad = await failure(accounts.listAccounts({ pageSize: 0, pageToken: "garbage", query: "", kind: 0 }, as(admin)));
    expect([bad.code, bad.reason]).toEqual([Code.InvalidArgument, "INVALID_PAGE_TOKEN"]);
  });

  it("updates the display name under an etag and an update mask", async () => {
    const { account } = await accounts.getAccount({ accountId: alice.accountId }, as(alice));
    const updated = (await accounts.updateAccount({ account: { ...account!, displayName: "Alice L." }, updateMask: mask("display_name"), etag: account!.etag }, as(alice))).account!;
    expect(updated.displayName).toBe("Alice L.");
    expect(updated.etag).not.toBe(account!.etag);
    const stale = await failure(accounts.updateAccount({ account: { ...account!, displayName: "Old" }, updateMask: mask("display_name"), etag: account!.etag }, as(alice)));
    expect([stale.code, stale.reason]).toEqual([Code.Aborted, "ETAG_MISMATCH"]);
    const badPath = await failure(accounts.updateAccount({ account: { ...account!, email: "x@example.org" }, updateMask: mask("email"), etag: "" }, as(alice)));
    expect(badPath.code).toBe(Code.InvalidArgument);
    expect(badPath.message).toContain("update_mask.email");
    expect((await failure(accounts.getAccount({ accountId: crypto.randomUUID() }, as(admin)))).code).toBe(Code.NotFound);
  });

  it("disables (revoking sessions, audited), enables and deletes accounts with their bindings", async () => {
    const bob = await person("bob@example.org");
    const disabled = (await accounts.disableAccount({ accountId: bob.accountId }, as(admin))).account!;
    expect(disabled.disabled).toBe(true);
    expect(await t.db.em().count(Session, { accountId: bob.accountId, revokedAt: null })).toBe(0);
    expect((await accounts.enableAccount({ accountId: bob.accountId }, as(admin))).account!.disabled).toBe(false);
    const org = (await orgs.createOrg({ slug: "bobs-org", displayName: "Bob's", description: "" }, as(bob))).org!;
    expect((await t.ctx.engine.bindingsOf(bob.accountId)).map((b) => b.role)).toEqual(["org.admin"]);
    await accounts.deleteAccount({ accountId: bob.accountId }, as(admin));
    expect(await t.ctx.engine.bindingsOf(bob.accountId)).toEqual([]);
    expect(await t.db.em().count(Account, { id: bob.accountId })).toBe(0);
    expect(await t.db.em().count(Session, { accountId: bob.accountId })).toBe(0);
    await orgs.deleteOrg({ orgId: org.id }, as(admin));
  });

  it("rank-checks disabling, enabling and deleting: platform.ops cannot touch a superadmin, nobody themselves", async () => {
    const ops = await person("ops@example.org");
    await t.ctx.engine.grant({ actorId: admin.accountId, accountId: ops.accountId, role: "platform.ops", resource: "platform" });
    for (const call of [accounts.disableAccount, accounts.enableAccount, accounts.deleteAccount]) {
      const refused = await failure(call({ accountId: admin.accountId }, as(ops)));
      expect([refused.code, refused.reason]).toEqual([Code.PermissionDenied, "ACCOUNT_ABOVE_OWN"]);
      const self = await failure(call({ accountId: admin.accountId }, as(admin)));
      expect([self.code, self.reason]).toEqual([Code.PermissionDenied, "CANNOT_MANAGE_SELF"]);
    }
    expect((await accounts.getAccount({ accountId: admin.accountId }, as(admin))).account).toMatchObject({ disabled: false });
    // Below its rank, ops disables and enables as before.
    const carl = await person("carl@example.org");
    expect((await accounts.disableAccount({ accountId: carl.accountId }, as(ops))).account!.disabled).toBe(true);
    expect((await accounts.enableAccount({ accountId: carl.accountId }, as(ops))).account!.disabled).toBe(false);
    await accounts.deleteAccount({ accountId: ops.accountId }, as(admin));
  });

  it("shows an account's email to itself and platform roles only; others search names, not emails", async () => {
    expect((await accounts.getAccount({ accountId: alice.accountId }, as(alice))).account!.email).toBe("alice@example.org");
    expect((await accounts.getAccount({ accountId: alice.accountId }, as(admin))).account!.email).toBe("alice@example.org");
    // The rule keeps callers without a platform role out of these calls; the handlers redact all the same.
    expect((await accounts.getAccount({ accountId: admin.accountId }, as(alice))).account).toMatchObject({ email: "", displayName: "admin" });
    const listed = await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "", kind: 0 }, as(alice));
    expect(listed.accounts.length).toBeGreaterThan(1);
    expect(listed.accounts.every((a) => a.email === "")).toBe(true);
    expect((await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "@example.org", kind: 0 }, as(alice))).accounts).toEqual([]);
    expect((await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "@example.org", kind: 0 }, as(admin))).accounts.length).toBeGreaterThan(1);
  });

  it("creates orgs (creator becomes admin), refuses taken slugs, lists only visible orgs", async () => {
    const org = (await orgs.createOrg({ slug: "open-coop", displayName: "Open Coop", description: "d" }, as(alice))).org!;
    expect(await t.ctx.engine.bindingsOf(alice.accountId)).toEqual([expect.objectContaining({ role: "org.admin", resource: `org/${org.id}` })]);
    const taken = await failure(orgs.createOrg({ slug: "open-coop", displayName: "Again", description: "" }, as(admin)));
    expect([taken.code, taken.reason]).toEqual([Code.AlreadyExists, "SLUG_TAKEN"]);
    await orgs.createOrg({ slug: "other-org", displayName: "Other", description: "" }, as(admin));
    const mine = await orgs.listOrgs({ pageSize: 0, pageToken: "", query: "" }, as(alice));
    expect(mine.orgs.map((o) => o.slug)).toEqual(["open-coop"]);
    const all = await orgs.listOrgs({ pageSize: 0, pageToken: "", query: "" }, as(admin));
    expect(all.orgs.map((o) => o.slug)).toEqual(expect.arrayContaining(["open-coop", "other-org"]));
    const user0 = (await accounts.listAccounts({ pageSize: 0, pageToken: "", query: "user0", kind: 0 }, as(admin))).accounts[0]!;
    expect((await orgs.listOrgs({ pageSize: 0, pageToken: "", query: "" }, as({ accountId: user0.id, kind: "person", sessionId: "" }))).orgs).toEqual([]);

    const updated = (await orgs.updateOrg({ org: { ...org, description: "new" }, updateMask: mask("description"), etag: org.etag }, as(alice))).org!;
    expect([updated.description, updated.displayName]).toEqual(["new", "Open Coop"]);
    expect((await failure(orgs.updateOrg({ org, updateMask: mask("slug"), etag: "" }, as(alice)))).message).toContain("update_mask.slug");
    expect((await failure(orgs.updateOrg({ org, updateMask: mask("description"), etag: org.etag }, as(alice)))).reason).toBe("ETAG_MISMATCH");
  });

  it("manages projects and service accounts, and deletes an org with all of it", async () => {
    const org = (await orgs.createOrg({ slug: "proj-org", displayName: "Projects", description: "" }, as(alice))).org!;
    const p1 = (await orgs.createProject({ orgId: org.id, slug: "web", displayName: "Web", description: "" }, as(alice))).project!;
    await orgs.createProject({ orgId: org.id, slug: "api", displayName: "API", description: "" }, as(alice));
    expect((await failure(orgs.createProject({ orgId: org.id, slug: "web", displayName: "Web", description: "" }, as(alice)))).reason).toBe("SLUG_TAKEN");
    const listed = await orgs.listProjects({ orgId: org.id, pageSize: 1, pageToken: "", query: "" }, as(alice));
    expect(listed.projects.map((p) => p.slug)).toEqual(["web"]);
    const next = await orgs.listProjects({ orgId: org.id, pageSize: 1, pageToken: listed.nextPageToken, query: "" }, as(alice));
    expect(next.projects.map((p) => p.slug)).toEqual(["api"]);
    expect(next.nextPageToken).toBe("");
    const renamed = (await orgs.updateProject({ project: { ...p1, displayName: "Website" }, updateMask: mask("display_name"), etag: p1.etag }, as(alice))).project!;
    expect(renamed.displayName).toBe("Website");

    const sa = await accounts.createServiceAccount({ orgId: org.id, displayName: "Bot", role: "guest" }, as(alice));
    expect(sa.serviceAccount).toMatchObject({ kind: AccountKind.SERVICE, ownerOrgId: org.id, email: "" });
    expect((await t.ctx.engine.bindingsOf(sa.serviceAccount!.id)).map((b) => [b.role, b.resource])).toEqual([["org.guest", `org/${org.id}`]]);
    const key2 = await accounts.createApiKey({ serviceAccountId: sa.serviceAccount!.id, name: "deploy", expiresInDays: 30 }, as(alice));
    expect(key2.apiKey?.expiresAt).toBeTruthy();
    const keys = await accounts.listApiKeys({ serviceAccountId: sa.serviceAccount!.id }, as(alice));
    expect(keys.apiKeys.map((k) => k.name)).toEqual(["default", "deploy"]);
    expect(keys.apiKeys.every((k) => /^pol_[0-9a-f]{12}$/.test(k.prefix))).toBe(true);
    expect((await accounts.listServiceAccounts({ orgId: org.id, pageSize: 0, pageToken: "" }, as(alice))).serviceAccounts).toHaveLength(1);
    expect((await failure(accounts.createApiKey({ serviceAccountId: alice.accountId, name: "x", expiresInDays: 0 }, as(admin)))).reason).toBe("NOT_A_SERVICE_ACCOUNT");

    await orgs.deleteOrg({ orgId: org.id }, as(alice));
    expect((await failure(orgs.getOrg({ orgId: org.id }, as(admin)))).code).toBe(Code.NotFound);
    expect((await failure(orgs.getProject({ projectId: p1.id }, as(admin)))).code).toBe(Code.NotFound);
    expect(await t.db.em().count(Account, { id: sa.serviceAccount!.id })).toBe(0);
    expect(await t.ctx.engine.bindingsOf(sa.serviceAccount!.id)).toEqual([]);
    expect((await t.ctx.engine.bindingsOf(alice.accountId)).some((b) => b.resource === `org/${org.id}`)).toBe(false);
  });
});
