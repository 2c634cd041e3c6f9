// What allowed answers must not contain, checked beyond the matrix's generic scans: secret ballot choices (to
// anyone, delegators included, until close and then only to those whose weight the delegate carried), choices of
// polls whose results are still hidden (ballots, activity log, results, streams), and other orgs' private
// resources (listings, ids of another community's polls, join requests, API keys, listings, Explain, email search).
import { Code } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { DiscoService } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { ActivityKind, VotingMethod, VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { clientFor } from "../../support/clients.js";
import { rejection } from "../../support/failures.js";
import { verificationTokenFor } from "../../support/people.js";
import { choice, choicesInLog, chosen, type Election, holdElection, type Voter } from "./matrix-ballots.js";
import type { Fixture } from "./matrix-fixture.js";

export function ballotSecrecyChecks(fixture: () => Fixture, logs: () => string[]): void {
  describe("secret ballots and hidden results", () => {
    let fx: Fixture;
    let e: Election;
    const everyone = () => [undefined, ...Object.values(e.voters).map((v) => v.token), fx.as("superadmin"), fx.as("ops"), fx.as("orgAdmin")];
    const log = async () => (await e.voting(undefined).listActivity({ communityId: e.communityId, pageSize: 1000 })).entries;
    const firstWatched = async (token: string | undefined, pollId: string) => {
      for await (const m of e.voting(token).watchPoll({ communityId: e.communityId, pollId })) return m;
    };

    beforeAll(async () => {
      fx = fixture();
      e = await holdElection(fx, logs());
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
}

export function otherOrgChecks(fixture: () => Fixture, logs: () => string[]): void {
  describe("other orgs' private resources", () => {
    let fx: Fixture;
    beforeAll(() => {
      fx = fixture();
    });
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
      await clientFor(AuthService, fx.url).verifyEmail({ token: await verificationTokenFor(logs(), joiner.email) });
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
}
