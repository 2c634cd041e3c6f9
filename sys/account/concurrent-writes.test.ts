// Concurrent writers of one row on PostgreSQL (PGlite has one connection, so it never interleaves): idempotent
// changes (disable/enable, updates without an etag) all succeed, one after the other; a stale etag is ABORTED
// ETAG_MISMATCH; nothing answers INTERNAL.
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import type { Principal } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import { createAccountService } from "./account-service.js";
import { Account } from "./entities.js";
import { createOrgProjectService } from "./org-project-service.js";
import { createTestSys, direct, handlerContext, type DirectService, type TestSys } from "../shared/test-support.js";

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (e: unknown) => `${Code[ConnectError.from(e).code]} ${reasonOf(e) ?? ConnectError.from(e).rawMessage}`,
  );
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe("concurrent writes of one row on postgres", () => {
  let t: TestSys;
  let accounts: DirectService<typeof AccountService>;
  let orgs: DirectService<typeof OrgProjectService>;
  let admin: Principal;
  const person = async (name: string): Promise<Principal> => {
    const id = crypto.randomUUID();
    const now = new Date();
    await t.db.em().insert(Account, { id, kind: "person", email: `${name}@example.org`, displayName: name, emailVerifiedAt: now, createdAt: now, updatedAt: now, version: 1 });
    return { accountId: id, kind: "person", sessionId: "" };
  };

  beforeAll(async () => {
    t = await createTestSys("postgres");
    accounts = direct(AccountService, createAccountService(t.ctx));
    orgs = direct(OrgProjectService, createOrgProjectService(t.ctx));
    admin = await person("admin");
    await t.ctx.engine.grant({ actorId: "system", accountId: admin.accountId, role: "platform.superadmin", resource: "platform", system: true });
  });
  afterAll(async () => t?.cleanup());

  it("applies concurrent DisableAccount and EnableAccount of one account one after the other", async () => {
    const victim = await person("victim");
    const hc = handlerContext(admin);
    const calls = Array.from({ length: 16 }, (_, i) =>
      i % 2 ? accounts.enableAccount({ accountId: victim.accountId }, hc) : accounts.disableAccount({ accountId: victim.accountId }, hc),
    );
    expect(await Promise.all(calls.map(outcome))).toEqual(calls.map(() => "OK"));
    const disables = await Promise.all(Array.from({ length: 8 }, () => outcome(accounts.disableAccount({ accountId: victim.accountId }, hc))));
    expect(disables).toEqual(disables.map(() => "OK"));
    expect((await accounts.getAccount({ accountId: victim.accountId }, hc)).account?.disabled).toBe(true);
  });

  it("applies concurrent updates without an etag, and refuses all but one holding the same etag", async () => {
    const hc = handlerContext(admin);
    const org = (await orgs.createOrg({ slug: "racy", displayName: "Racy" }, hc)).org!;
    const blind = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome(orgs.updateOrg({ org: { id: org.id, displayName: `Racy ${i}` }, updateMask: mask("display_name") }, hc))),
    );
    expect(blind).toEqual(blind.map(() => "OK"));
    const current = (await orgs.getOrg({ orgId: org.id }, hc)).org!;
    expect(current.etag).toBe("v11");
    const guarded = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome(orgs.updateOrg({ org: { id: org.id, description: `d${i}` }, updateMask: mask("description"), etag: current.etag }, hc))),
    );
    expect(guarded.filter((o) => o === "OK")).toHaveLength(1);
    expect(guarded.filter((o) => o !== "OK")).toEqual(Array.from({ length: 9 }, () => "Aborted ETAG_MISMATCH"));
  });
});
