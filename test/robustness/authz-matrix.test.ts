// The authorization matrix: every RPC of every polity.* service, called by every kind of principal (anonymous,
// unverified, community member / moderator / admin, org member / admin of the same org, another org's admin, a
// service account, platform ops, superadmin, and members whose token was revoked by signing out or by their
// account being disabled) on resources of its own org and of another org, over gRPC against
// a real server on PostgreSQL. The expected decision comes from the RPC's proto rule and the role table
// (support/matrix-expect.ts), never from the server's engine; the observed one is the call's outcome.
// Then what allowed answers must not contain: other people's emails and other orgs' private ids (scanned in every
// answer of the matrix), secret or still-hidden ballot choices and cross-org ids (support/matrix-privacy.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { clientFor } from "../support/clients.js";
import { rejection } from "../support/failures.js";
import { startPostgresServer, type TestServer } from "../support/server.js";
import { CommunityService, MemberRole } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import type { AccessRule } from "../../clients/src/gen/polity/options/v1/options_pb.js";
import { administers, expectAllowed } from "./support/matrix-expect.js";
import { buildFixture, type Fixture, PRINCIPALS, SUPERADMIN } from "./support/matrix-fixture.js";
import { planMatrix, type Plan, unusedCases } from "./support/matrix-plan.js";
import { polityRpcs, type RpcRule } from "./support/matrix-rules.js";
import { ballotSecrecyChecks, otherOrgChecks } from "./support/matrix-privacy.js";
import { describeOutcome, forgetTransports, type Outcome, runCells, timingReport, transportFlakes } from "./support/matrix-run.js";

describe("authorization matrix over gRPC on PostgreSQL", () => {
  let server: TestServer;
  let fx: Fixture;
  let rpcs: RpcRule[];
  let plan: Plan;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    server = await startPostgresServer("authz_matrix", {
      POLITY_BOOTSTRAP_ADMIN_EMAIL: SUPERADMIN.email,
      POLITY_BOOTSTRAP_ADMIN_PASSWORD: SUPERADMIN.password,
      // Thousands of calls, dozens of sign-ups and sign-ins, from a handful of principals and one address.
      POLITY_RATE_LIMIT_PER_MINUTE: "0",
      POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "0",
      POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "0",
      POLITY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: "1000",
      POLITY_LOGIN_FAILURES_PER_ACCOUNT: "1000",
      POLITY_LOGIN_FAILURES_PER_ADDRESS: "1000",
    });
    fx = await buildFixture(server.url, server.logs);
    rpcs = await polityRpcs();
    plan = planMatrix(fx, rpcs);
  }, 120_000);

  afterAll(async () => {
    forgetTransports();
    await server?.stop();
  });

  it("has a rule and a request for every RPC of every polity service", () => {
    if (process.env.MATRIX_DEBUG) console.log(`${rpcs.length} RPCs, ${plan.early.length} + ${plan.late.length} cells`);
    expect(rpcs.length).toBeGreaterThan(60);
    expect(plan.uncovered).toEqual([]);
    expect(unusedCases(rpcs)).toEqual([]);
  });

  it("holds the roles the model says each principal holds", async () => {
    for (const name of PRINCIPALS) {
      const actor = fx.actors[name];
      if (!actor.token || actor.revoked || name === "superadmin") continue;
      const me = await clientFor(AuthService, fx.url, actor.token).whoAmI({});
      const held = me.roles.map((r) => `${r.role} ${r.resource}`).sort();
      expect(held, name).toEqual(actor.bindings.map((b) => `${b.role} ${b.resource}`).sort());
    }
  });

  it("answers every RPC as its rule and the role table say, for every principal and org", async () => {
    outcomes.push(...(await runCells(fx, plan.early, 6)));
    if (process.env.MATRIX_DEBUG) console.log(timingReport(outcomes));
    if (transportFlakes.length > 0) console.warn(`retried after a transport failure:\n${transportFlakes.join("\n")}`);
    const wrong = outcomes.filter((o) => o.expected !== o.observed).map(describeOutcome);
    expect(wrong).toEqual([]);
  }, 120_000);

  it("never answers a matrix call with INTERNAL or UNKNOWN", () => {
    const broken = outcomes.filter((o) => o.code === Code.Internal || o.code === Code.Unknown).map((o) => `${describeOutcome(o)}: ${o.message}`);
    expect(broken).toEqual([]);
  });

  it("shows emails only to their owner, to admins of the resource asked about and to platform roles", () => {
    const leaks: string[] = [];
    for (const o of outcomes) {
      if (!o.responseJson || administers(o.principal, o.resource, fx.world)) continue;
      for (const [accountId, email] of fx.emails) {
        if (accountId !== o.principal.accountId && o.responseJson.includes(email)) leaks.push(`${describeOutcome(o)} — shows ${email}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  ballotSecrecyChecks(() => fx, () => server.logs);
  otherOrgChecks(() => fx, () => server.logs);

  it("names no members-only community or poll in any answer to someone who may not read it", () => {
    const read = { permission: "community.read", allowAnonymous: true } as AccessRule;
    const leaks: string[] = [];
    for (const org of [fx.orgs.A, fx.orgs.B]) {
      const c = org.mo;
      const ids = [c.id, c.draftPollId, c.openTargetPollId, c.votePollId, c.closeTargetPollId];
      for (const o of outcomes) {
        // Those who may read it, and those bound to it (WhoAmI lists one's own roles, even while unverified).
        const knows = expectAllowed(read, o.principal, c.resource, fx.world) || o.principal.bindings.some((b) => b.resource === c.resource);
        if (!o.responseJson || knows) continue;
        for (const id of ids) if (o.responseJson.includes(id)) leaks.push(`${describeOutcome(o)} — names ${id === c.id ? "community" : "poll"} ${id} of org ${org.key}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("answers destructive RPCs (delete, archive, close, leave) as their rule says", async () => {
    const late = await runCells(fx, plan.late, 1);
    outcomes.push(...late);
    expect(late.filter((o) => o.expected !== o.observed).map(describeOutcome)).toEqual([]);
  }, 60_000);

  // Found by running the matrix's cells concurrently: two admins acting on one account or member at once.
  it("answers concurrent changes of one account or one member without INTERNAL", async () => {
    const root = fx.as("superadmin");
    const accounts = clientFor(AccountService, fx.url, root);
    const communities = clientFor(CommunityService, fx.url, root);
    const { victims, pawnId, orgs } = fx;
    const outcomes = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => () => (i % 2 ? accounts.enableAccount({ accountId: victims.disable }) : accounts.disableAccount({ accountId: victims.disable }))),
      ...Array.from({ length: 12 }, (_, i) => () => communities.setMemberRole({ communityId: orgs.A.pub.id, accountId: pawnId, role: i % 2 ? MemberRole.MEMBER : MemberRole.OBSERVER })),
    ].map((call, i) => call().then(() => "OK", (error: unknown) => `${i < 12 ? "enable/disable" : "SetMemberRole"}: ${Code[ConnectError.from(error).code]} ${ConnectError.from(error).rawMessage}`)));
    expect(outcomes.filter((o) => /: (Internal|Unknown) /.test(o))).toEqual([]);
  });

  it("does not let ops disable an account ranked above it (a superadmin)", async () => {
    const root = fx.as("superadmin")!;
    const second = await fx.register("second-root");
    await clientFor(AuthzService, fx.url, root).grantRole({ accountId: second.accountId, role: "platform.superadmin", resource: "platform" });
    const denied = await rejection(clientFor(AccountService, fx.url, fx.as("ops")).disableAccount({ accountId: second.accountId }));
    expect(denied.code).toBe(Code.PermissionDenied);
  });
});
