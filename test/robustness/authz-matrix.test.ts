// The authorization matrix: every RPC of every polity.* service, called by every kind of principal (anonymous,
// unverified, community member / moderator / admin, org member / admin of the same org, another org's admin, a
// service account, platform ops, superadmin, and members whose token was revoked by signing out or by their
// account being disabled) on resources of its own org and of another org, over gRPC against
// a real server on PostgreSQL. The expected decision comes from the RPC's proto rule and the role table
// (support/matrix-expect.ts), never from the server's engine; the observed one is the call's outcome.
// Then what allowed answers must not contain: other people's emails, secret ballot choices, choices of polls
// whose results are still hidden, other orgs' private resources.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { clientFor } from "../support/clients.js";
import { rejection } from "../support/failures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";
import { ActivityKind, VotingMethod, VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { DiscoService } from "../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { CommunityService, MemberRole, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { verificationTokenFor } from "../support/people.js";
import { choice, choicesInLog, chosen, type Election, holdElection, type Voter } from "./support/matrix-ballots.js";
import type { AccessRule } from "../../clients/src/gen/polity/options/v1/options_pb.js";
import { administers, expectAllowed } from "./support/matrix-expect.js";
import { buildFixture, type Fixture, PRINCIPALS, SUPERADMIN } from "./support/matrix-fixture.js";
import { planMatrix, type Plan, unusedCases } from "./support/matrix-plan.js";
import { polityRpcs, type RpcRule } from "./support/matrix-rules.js";
import { describeOutcome, forgetTransports, type Outcome, runCells, transportFlakes } from "./support/matrix-run.js";

describe("authorization matrix over gRPC on PostgreSQL", () => {
  let database: TestDatabase;
  let server: TestServer;
  let fx: Fixture;
  let rpcs: RpcRule[];
  let plan: Plan;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("authz_matrix");
    server = await startInProcessServer({
      DATABASE_URL: database.url,
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
    await database?.drop();
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
    if (process.env.MATRIX_DEBUG) {
      const per = new Map<string, { n: number; ms: number }>();
      for (const o of outcomes) {
        const e = per.get(o.rpc) ?? { n: 0, ms: 0 };
        per.set(o.rpc, { n: e.n + 1, ms: e.ms + o.ms });
      }
      console.log(`${outcomes.length} cells`, [...per].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([k, v]) => `${k} n=${v.n} ms=${Math.round(v.ms)}`).join("\n"));
      console.log(server.logs.filter((l) => /"level":50/.test(l)).slice(0, 6).join("\n").slice(0, 5000));
    }
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

  describe("secret ballots and hidden results", () => {
    let e: Election;
    const everyone = () => [undefined, ...Object.values(e.voters).map((v) => v.token), fx.as("superadmin"), fx.as("ops"), fx.as("orgAdmin")];
    const log = async () => (await e.voting(undefined).listActivity({ communityId: e.communityId, pageSize: 1000 })).entries;
    const firstWatched = async (token: string | undefined, pollId: string) => {
      for await (const m of e.voting(token).watchPoll({ communityId: e.communityId, pollId })) return m;
    };

    beforeAll(async () => {
      e = await holdElection(fx, server.logs);
    }, 60_000);

    it("shows nobody a secret ballot's choice while the poll is open, not even a delegator", async () => {
      const { secret } = e.polls;
      for (const token of everyone()) {
        const { ballots } = await e.voting(token).listBallots({ communityId: e.communityId, pollId: secret });
        expect(ballots.length).toBe(3);
        expect(ballots.filter((b) => b.ballot).map((b) => b.voterId)).toEqual([]);
      }
      for (const voter of Object.values(e.voters)) {
        const mine = await e.voting(voter.token).getMyBallot({ communityId: e.communityId, pollId: secret });
        expect(chosen(mine.delegateBallot), "delegate's choice while open").toBeUndefined();
      }
      expect(choicesInLog(await log(), secret)).toEqual([]);
    });

    it("shows no choice of a results-after-close poll before it closes (ballots, activity log, results, delegate)", async () => {
      const { hidden } = e.polls;
      for (const token of everyone()) {
        const { ballots } = await e.voting(token).listBallots({ communityId: e.communityId, pollId: hidden });
        expect(ballots.filter((b) => b.ballot).map((b) => b.voterId)).toEqual([]);
        // Refusing (FAILED_PRECONDITION) or answering without tallies both keep them hidden.
        const results = await e.voting(token).getResults({ communityId: e.communityId, pollId: hidden }).then((r) => r.results, () => undefined);
        expect(results?.tallies ?? []).toEqual([]);
        expect((await firstWatched(token, hidden))?.results?.tallies ?? []).toEqual([]);
      }
      const x = await e.voting(e.voters.x.token).getMyBallot({ communityId: e.communityId, pollId: hidden });
      expect(chosen(x.delegateBallot)).toBeUndefined();
      expect(choicesInLog(await log(), hidden)).toEqual([]);
      const watched = e.voting(undefined).watchActivity({ communityId: e.communityId });
      const streamed: Array<{ pollId: string; kind: ActivityKind; payload: string }> = [];
      const { headSequence } = await e.voting(undefined).listActivity({ communityId: e.communityId, pageSize: 1 });
      for await (const m of watched) {
        streamed.push(m.entry!);
        if (m.entry!.sequence >= headSequence) break;
      }
      expect(choicesInLog(streamed, hidden)).toEqual([]);
    });

    it("shows no choice of a results-after-vote poll to those who have not voted (ballots, activity log)", async () => {
      const { afterVote } = e.polls;
      for (const token of [undefined, e.voters.x.token, e.voters.z.token]) {
        const { ballots } = await e.voting(token).listBallots({ communityId: e.communityId, pollId: afterVote });
        expect(ballots.filter((b) => b.ballot).map((b) => b.voterId)).toEqual([]);
      }
      // The log is public: a choice in it is a choice shown to everyone who has not voted.
      expect(choicesInLog(await log(), afterVote)).toEqual([]);
    });

    it("after close, shows a secret delegate's choice only to delegators whose weight it carried", async () => {
      const { secret } = e.polls;
      await e.voting(fx.as("superadmin")).closePoll({ communityId: e.communityId, pollId: secret });
      const mine = async (v: Voter) => (await e.voting(v.token).getMyBallot({ communityId: e.communityId, pollId: secret })).delegateBallot;
      expect(chosen(await mine(e.voters.x)), "x's weight went to d").toBe("a");
      expect(chosen(await mine(e.voters.w)), "w voted itself").toBeUndefined();
      expect(chosen(await mine(e.voters.y))).toBeUndefined();
      expect(chosen(await mine(e.voters.z))).toBeUndefined();
      for (const token of everyone()) {
        const { ballots } = await e.voting(token).listBallots({ communityId: e.communityId, pollId: secret });
        expect(ballots.filter((b) => b.ballot).map((b) => b.voterId)).toEqual([]);
      }
      expect(choicesInLog(await log(), secret, [ActivityKind.RESULT_PUBLISHED])).toEqual([]);
    });
  });

  describe("other orgs' private resources", () => {
    const strangersOfB = ["anonymous", "unverified", "member", "moderator", "commAdmin", "orgMember", "orgAdmin", "service"] as const;

    it("lists no members-only community, org or project of another org", async () => {
      const { A, B } = fx.orgs;
      for (const name of strangersOfB) {
        const token = fx.as(name);
        const listed = await clientFor(CommunityService, fx.url, token).listCommunities({ orgId: B.id, pageSize: 200, includeArchived: true });
        expect(listed.communities.filter((c) => c.visibility !== Visibility.PUBLIC).map((c) => `${name} sees ${c.slug}`)).toEqual([]);
        expect(listed.communities.map((c) => c.id)).toContain(B.pub.id);
        // Listing orgs and projects takes a verified account.
        if (!token || name === "unverified") continue;
        const orgs = await clientFor(OrgProjectService, fx.url, token).listOrgs({ pageSize: 200 });
        expect(orgs.orgs.map((o) => o.id), name).not.toContain(B.id);
        const projects = await clientFor(OrgProjectService, fx.url, token).listProjects({ orgId: B.id, pageSize: 200 });
        expect(projects.projects.map((p) => p.id), name).toEqual([]);
      }
      const anonymous = await clientFor(CommunityService, fx.url).listCommunities({ orgId: A.id, pageSize: 200 });
      expect(anonymous.communities.filter((c) => c.visibility !== Visibility.PUBLIC).map((c) => c.slug)).toEqual([]);
    });

    it("never serves another community's poll under a community the caller may read", async () => {
      const { A, B } = fx.orgs;
      const member = clientFor(VotingService, fx.url, fx.as("member"));
      const admin = clientFor(VotingService, fx.url, fx.as("commAdmin"));
      const ids = { communityId: A.pub.id, pollId: B.mo.votePollId };
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ["GetPoll", () => member.getPoll({ communityId: A.pub.id, pollId: B.mo.draftPollId })],
        ["GetResults", () => member.getResults(ids)],
        ["ListBallots", () => member.listBallots(ids)],
        ["GetMyBallot", () => member.getMyBallot(ids)],
        ["CastBallot", () => member.castBallot({ ...ids, ballot: choice("a") })],
        ["ClosePoll", () => admin.closePoll({ communityId: A.pub.id, pollId: B.mo.closeTargetPollId })],
        ["UpdatePoll", () => admin.updatePoll({ poll: { id: B.mo.draftPollId, communityId: A.pub.id, title: "Hijacked", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] }, updateMask: { paths: ["title"] } })],
        ["DeletePoll", () => admin.deletePoll({ communityId: A.pub.id, pollId: B.mo.draftPollId })],
      ];
      for (const [what, attempt] of attempts) expect((await rejection(attempt())).code, what).toBe(Code.NotFound);
      const still = await clientFor(VotingService, fx.url, fx.as("superadmin")).getPoll({ communityId: B.mo.id, pollId: B.mo.draftPollId });
      expect(still.poll?.title).toBe("Matrix poll");
    });

    it("never acts on another org's join request, API key or listing through one's own org or community", async () => {
      const { A, B } = fx.orgs;
      const joiner = await fx.register("joiner");
      await clientFor(AuthService, fx.url).verifyEmail({ token: await verificationTokenFor(server.logs, joiner.email) });
      await clientFor(CommunityService, fx.url, joiner.token).joinCommunity({ communityId: B.mo.id });
      const root = clientFor(CommunityService, fx.url, fx.as("superadmin"));
      const [request] = (await root.listJoinRequests({ communityId: B.mo.id })).requests.filter((r) => r.accountId === joiner.accountId);
      const commAdmin = clientFor(CommunityService, fx.url, fx.as("commAdmin"));
      expect((await rejection(commAdmin.decideJoinRequest({ communityId: A.pub.id, requestId: request.id, approve: true }))).code).toBe(Code.NotFound);
      const members = await root.listMembers({ communityId: B.mo.id, pageSize: 1000 });
      expect(members.members.map((m) => m.accountId)).not.toContain(joiner.accountId);

      const keyOfB = (await clientFor(AccountService, fx.url, fx.as("superadmin")).listApiKeys({ serviceAccountId: B.serviceAccountId })).apiKeys[0];
      const orgAdmin = clientFor(AccountService, fx.url, fx.as("orgAdmin"));
      expect((await rejection(orgAdmin.revokeApiKey({ serviceAccountId: A.serviceAccountId, apiKeyId: keyOfB.id }))).code).toBe(Code.NotFound);
      expect((await clientFor(AuthService, fx.url).exchangeApiKey({ apiKey: B.apiKeySecret })).tokens?.accessToken).toBeTruthy();

      const disco = clientFor(DiscoService, fx.url, fx.as("orgAdmin"));
      expect((await rejection(disco.deleteListing({ orgId: A.id, listingId: B.listingId }))).code).toBe(Code.NotFound);
      expect((await clientFor(DiscoService, fx.url).getListing({ listingId: B.listingId })).listing?.id).toBe(B.listingId);
    });

    it("lets Explain tell scope admins nothing about accounts outside their scope, nor anyone's platform roles", async () => {
      const { A } = fx.orgs;
      const explain = (asker: "orgAdmin" | "commAdmin", principalId: string, resource: string) =>
        clientFor(AuthzService, fx.url, fx.as(asker)).explain({ principalId, permission: "community.read", resource });
      // ops holds no role in org A: asking about it must look exactly like asking about nobody.
      const unknown = await rejection(explain("orgAdmin", crypto.randomUUID(), A.resource));
      const ops = await rejection(explain("orgAdmin", fx.actors.ops.accountId!, A.resource));
      expect(ops.code).toBe(unknown.code);
      // The superadmin created A's communities (so is bound there): its platform role stays out of the answer.
      const root = await explain("commAdmin", fx.actors.superadmin.accountId!, A.pub.resource);
      expect(root.bindings.filter((b) => b.resource === "platform" || b.role.startsWith("platform."))).toEqual([]);
      expect(root.decision?.grantedByRole ?? "").not.toMatch(/^platform\./);
    });

    it("lets no plain member find people by email (member lists, role bindings)", async () => {
      const { A } = fx.orgs;
      const target = fx.actors.moderator.email!;
      const asMember = await clientFor(CommunityService, fx.url, fx.as("member")).listMembers({ communityId: A.pub.id, query: target });
      expect(asMember.members.map((m) => m.accountId)).toEqual([]);
      const asAnonymous = await clientFor(CommunityService, fx.url).listMembers({ communityId: A.pub.id, query: target });
      expect(asAnonymous.members.map((m) => m.accountId)).toEqual([]);
      const bindings = await clientFor(AuthzService, fx.url, fx.as("orgMember")).listRoleBindings({ resource: A.resource, query: fx.actors.orgAdmin.email! });
      expect(bindings.bindings.map((b) => b.accountId)).toEqual([]);
      // Admins of the community may (the control: the query itself works).
      const asAdmin = await clientFor(CommunityService, fx.url, fx.as("commAdmin")).listMembers({ communityId: A.pub.id, query: target });
      expect(asAdmin.members.map((m) => m.accountId)).toEqual([fx.actors.moderator.accountId]);
    });
  });

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
