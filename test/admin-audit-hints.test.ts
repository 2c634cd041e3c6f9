// The admin audit log records decisions, not the GUI's probes: CheckMyPermissions (the web's button hints) writes
// no audit entry, while a real call that is denied still does, and CheckBatch about oneself still audits as it
// always has. The log names its actors and resources. A real server on PostgreSQL, real sign-ups.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { type AuditEvent, AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "./support/clients.js";
import { createOpenCommunity } from "./support/communities.js";
import { type Person, signIn, signUpVerified } from "./support/people.js";
import { startPostgresServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const HINTS = ["voting.poll.create", "community.member.invite", "community.read"];

describe("UI hints are not audited; real denials are, by name", () => {
  let server: TestServer;
  let admin: Person;
  let eve: Person;
  let orgId = "";
  let communityId = "";
  const resource = () => `community/${communityId}`;

  const auditOf = async (actorId: string): Promise<AuditEvent[]> => {
    const { events } = await clientFor(AuthzService, server.url, admin.token).listAuditEvents({ pageSize: 500 });
    return events.filter((e) => e.actorId === actorId || e.subjectId === actorId);
  };

  beforeAll(async () => {
    server = await startPostgresServer("admin_audit_hints", { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    admin = await signIn(server.url, ADMIN.email, ADMIN.password);
    ({ orgId, communityId } = await createOpenCommunity(server.url, admin.token, { orgSlug: "hints", slug: "garden", name: "Garden Club" }));
    eve = await signUpVerified(server.url, server.logs, "eve@example.org");
  }, 60_000);
  afterAll(async () => server?.stop());

  it("answers CheckMyPermissions about the caller, in order, without writing an audit entry", async () => {
    const hints = clientFor(AuthzService, server.url, eve.token);
    for (let i = 0; i < 3; i++) {
      const { decisions } = await hints.checkMyPermissions({ resource: resource(), permissions: HINTS });
      expect(decisions.map((d) => [d.allowed, d.reason])).toEqual([[false, "no_role"], [false, "no_role"], [true, "public"]]);
    }
    const mine = await clientFor(AuthzService, server.url, admin.token).checkMyPermissions({ resource: resource(), permissions: HINTS });
    expect(mine.decisions.map((d) => d.allowed)).toEqual([true, true, true]);
    expect(await auditOf(eve.accountId)).toEqual([]);
  });

  it("answers anonymous and unverified callers as their real calls would be decided, still quietly", async () => {
    const anonymous = await clientFor(AuthzService, server.url).checkMyPermissions({ resource: resource(), permissions: HINTS });
    expect(anonymous.decisions.map((d) => d.allowed)).toEqual([false, false, true]);

    const auth = clientFor(AuthService, server.url);
    const { accountId } = await auth.register({ email: "una@example.org", password: "a long enough password", displayName: "Una" });
    const una = (await auth.login({ email: "una@example.org", password: "a long enough password" })).tokens!.accessToken;
    const { decisions } = await clientFor(AuthzService, server.url, una).checkMyPermissions({ resource: resource(), permissions: ["voting.poll.create"] });
    expect(decisions[0]).toMatchObject({ allowed: false, reason: "email_unverified" });
    expect(await auditOf(accountId)).toEqual([]);
  });

  it("refuses a malformed question precisely", async () => {
    const hints = clientFor(AuthzService, server.url, eve.token);
    const refused = await hints.checkMyPermissions({ resource: resource(), permissions: ["Not A Permission"] }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(refused?.code).toBe(Code.InvalidArgument);
    const empty = await hints.checkMyPermissions({ resource: resource(), permissions: [] }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(empty?.code).toBe(Code.InvalidArgument);
  });

  it("still audits a denied real call, naming the actor and the community", async () => {
    const denied = await clientFor(VotingService, server.url, eve.token)
      .createPoll({ poll: { communityId, title: "Not mine", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } })
      .then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(denied?.code).toBe(Code.PermissionDenied);
    const events = await auditOf(eve.accountId);
    expect(events.map((e) => [e.kind, e.permission, e.resource])).toEqual([["denied", "voting.poll.create", resource()]]);
    // The superadmin may read emails, so the actor shows with theirs.
    expect(events[0]).toMatchObject({ actorName: "eve <eve@example.org>", resourceName: "Garden Club" });
  });

  it("names the people and the org of a role change", async () => {
    await clientFor(AuthzService, server.url, admin.token).grantRole({ accountId: eve.accountId, role: "org.member", resource: `org/${orgId}` });
    const [granted] = (await auditOf(eve.accountId)).filter((e) => e.kind === "role_granted");
    expect(granted).toMatchObject({ actorId: admin.accountId, subjectName: "eve <eve@example.org>", resourceName: "Garden Club" });
    expect(granted!.actorName).toContain(ADMIN.email);
  });

  it("keeps auditing CheckBatch, which answers for the guard-like callers that ask it", async () => {
    await clientFor(AuthzService, server.url, eve.token).checkBatch({ questions: [{ principalId: eve.accountId, permission: "sys.org.delete", resource: `org/${orgId}` }] });
    const events = await auditOf(eve.accountId);
    expect(events.some((e) => e.kind === "denied" && e.permission === "sys.org.delete")).toBe(true);
  });
});
