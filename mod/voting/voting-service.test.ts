// Polls and ballots end to end through the VotingService on PGlite and PostgreSQL (directory port faked:
// sys is another tier). Every poll and ballot RPC runs at least once.
import { rejection } from "../../test/support/failures.js";
import { create, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BallotSchema, BallotSecrecy, type PollSchema, PollOptionSchema, PollResultsSchema, PollState, ProposalChoice, ResultVisibility, Verdict, VotingMethod, ActivityKind,
} from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { reasonOf } from "../../sys/core/errors.js";
import { hashOf } from "./results/compute.js";
import { useVotingStage } from "./test-support.js";

type PollInit = MessageInitShape<typeof PollSchema>;
type BallotInit = MessageInitShape<typeof BallotSchema>;
const opts = (...ids: string[]) => ids.map((id) => create(PollOptionSchema, { id, label: id.toUpperCase() }));
const rank = (...groups: string[][]): BallotInit => ({ choice: { case: "ranking", value: { ranks: groups.map((optionIds) => ({ optionIds })) } } });
const single = (optionId: string): BallotInit => ({ choice: { case: "optionId", value: optionId } });


for (const backend of ["pglite", "postgres"] as const) {
  describe(`voting on ${backend}`, () => {
    const { directory, fixture, community, archived, admin, alice, bob, carol, olga } = useVotingStage(backend, "voting", { beforeAll, afterAll });


    const createPoll = (poll: PollInit) =>
      fixture.replica.as(admin).createPoll({ poll: { communityId: community, title: "Lunch", method: VotingMethod.SINGLE_CHOICE, options: opts("a", "b", "c"), ...poll } });
    const activityKinds = async () => (await fixture.replica.as(admin).listActivity({ communityId: community, pageSize: 1000 })).entries.map((e) => e.kind);

    it("refuses polls that break method rules, naming the field", async () => {
      const cases: Array<[PollInit, string]> = [
        [{ options: opts("a") }, "poll.options"],
        [{ options: opts("a", "a") }, "poll.options[1].id"],
        [{ method: VotingMethod.STV, seats: 4, options: opts("a", "b", "c") }, "poll.seats"],
        [{ method: VotingMethod.APPROVAL, minSelections: 3, maxSelections: 2 }, "poll.min_selections"],
        [{ method: VotingMethod.APPROVAL, maxSelections: 4 }, "poll.max_selections"],
        [{ timeZone: "Mars/Olympus" }, "poll.time_zone"],
        [{ opensAt: timestampFromDate(new Date(Date.now() + 7200_000)), closesAt: timestampFromDate(new Date(Date.now() + 3600_000)) }, "poll.closes_at"],
      ];
      for (const [poll, field] of cases) {
        const error = await rejection(createPoll(poll));
        expect(error.code, field).toBe(Code.InvalidArgument);
        expect(error.message).toContain(field);
      }
      expect((await rejection(fixture.replica.as(admin).createPoll({ poll: { communityId: archived, title: "Old", method: VotingMethod.PROPOSAL } }))).code).toBe(Code.FailedPrecondition);
      expect((await rejection(fixture.replica.as(admin).createPoll({ poll: { communityId: crypto.randomUUID(), title: "Nope", method: VotingMethod.PROPOSAL } }))).code).toBe(Code.NotFound);
      // Proposals need no options.
      const { poll } = await fixture.replica.as(admin).createPoll({ poll: { communityId: community, title: "Adopt the charter", method: VotingMethod.PROPOSAL, timeZone: "Europe/Lisbon" } });
      expect(poll!.state).toBe(PollState.DRAFT);
      expect(poll!.eligibleRoles).toEqual(["admin", "moderator", "member"]);
      // Current IANA names that Node's supportedValuesOf list lacks (it has Asia/Calcutta, Europe/Kiev) are zones too.
      for (const timeZone of ["Asia/Kolkata", "Europe/Kyiv"]) {
        const created = await fixture.replica.as(admin).createPoll({ poll: { communityId: community, title: `In ${timeZone}`, method: VotingMethod.PROPOSAL, timeZone } });
        expect(created.poll!.timeZone).toBe(timeZone);
      }
    });

    it("creates, reads, lists, updates with etag and mask, deletes drafts", async () => {
      const { poll } = await createPoll({ topics: ["food"] });
      expect((await fixture.replica.as().getPoll({ communityId: community, pollId: poll!.id })).poll!.title).toBe("Lunch");
      // Another community's id does not reach this poll.
      expect((await rejection(fixture.replica.as().getPoll({ communityId: archived, pollId: poll!.id }))).code).toBe(Code.NotFound);

      const mask = create(FieldMaskSchema, { paths: ["title", "options"] });
      const stale = await rejection(fixture.replica.as(admin).updatePoll({ poll: { ...poll!, title: "Dinner" }, updateMask: mask, etag: 'W/"999"' }));
      expect(stale.code).toBe(Code.Aborted);
      const { poll: updated } = await fixture.replica.as(admin).updatePoll({ poll: { ...poll!, title: "Dinner", body: "ignored", options: opts("x", "y") }, updateMask: mask, etag: poll!.etag });
      expect(updated!.title).toBe("Dinner");
      expect(updated!.body).toBe("");
      expect(updated!.options.map((o) => o.id)).toEqual(["x", "y"]);
      expect(updated!.etag).not.toBe(poll!.etag);
      const bad = await rejection(fixture.replica.as(admin).updatePoll({ poll: { ...updated!, options: opts("x") }, updateMask: create(FieldMaskSchema, { paths: ["options"] }) }));
      expect(bad.message).toContain("poll.options");

      const page1 = await fixture.replica.as().listPolls({ communityId: community, pageSize: 1 });
      expect(page1.polls).toHaveLength(1);
      expect(page1.nextPageToken).not.toBe("");
      const all = await fixture.replica.as().listPolls({ communityId: community, pageSize: 200 });
      expect(all.polls.length).toBeGreaterThanOrEqual(2);
      expect((await fixture.replica.as().listPolls({ communityId: community, topic: "food" })).polls.map((p) => p.id)).toEqual([poll!.id]);
      expect((await fixture.replica.as().listPolls({ communityId: community, states: [PollState.OPEN] })).polls).toEqual([]);

      await fixture.replica.as(admin).deletePoll({ communityId: community, pollId: poll!.id });
      expect((await rejection(fixture.replica.as().getPoll({ communityId: community, pollId: poll!.id }))).code).toBe(Code.NotFound);
      expect(await activityKinds()).toEqual(expect.arrayContaining([ActivityKind.POLL_CREATED, ActivityKind.POLL_UPDATED, ActivityKind.POLL_DELETED]));
    });

    it("opens with an eligibility snapshot, casts idempotently, stores nothing invalid, closes with a verifiable result", async () => {
      const { poll } = await createPoll({ resultVisibility: ResultVisibility.LIVE, secrecy: BallotSecrecy.PUBLIC, quorum: { kind: { case: "absolute", value: 2 } } });
      const ids = { communityId: community, pollId: poll!.id };
      expect(reasonOf(await rejection(fixture.replica.as(alice).castBallot({ ...ids, ballot: single("a") })))).toBe("POLL_NOT_OPEN");
      const { poll: opened } = await fixture.replica.as(admin).openPoll(ids);
      expect(opened!.state).toBe(PollState.OPEN);
      // admin, alice, bob, carol; never the observer.
      expect(opened!.eligibleCount).toBe(4);
      expect(reasonOf(await rejection(fixture.replica.as(olga).castBallot({ ...ids, ballot: single("a") })))).toBe("NOT_ELIGIBLE");
      expect(reasonOf(await rejection(fixture.replica.as(admin).updatePoll({ poll: opened!, updateMask: create(FieldMaskSchema, { paths: ["title"] }) })))).toBe("POLL_NOT_EDITABLE");
      expect(reasonOf(await rejection(fixture.replica.as(admin).deletePoll(ids)))).toBe("POLL_NOT_EDITABLE");

      const invalid = await rejection(fixture.replica.as(alice).castBallot({ ...ids, ballot: single("zebra") }));
      expect(invalid.code).toBe(Code.InvalidArgument);
      expect(invalid.message).toContain("ballot.option_id");
      const wrongKind = await rejection(fixture.replica.as(alice).castBallot({ ...ids, ballot: rank(["a"]) }));
      expect(wrongKind.code).toBe(Code.InvalidArgument);
      expect((await fixture.replica.as().listBallots(ids)).ballots).toEqual([]);

      const before = (await activityKinds()).length;
      const first = await fixture.replica.as(alice).castBallot({ ...ids, ballot: single("a") });
      expect(first.changed).toBe(true);
      const again = await fixture.replica.as(alice).castBallot({ ...ids, ballot: single("a") });
      expect(again.changed).toBe(false);
      expect((await activityKinds()).length).toBe(before + 1);
      expect((await fixture.replica.as(alice).castBallot({ ...ids, ballot: single("b") })).changed).toBe(true);
      expect((await activityKinds()).slice(-2)).toEqual([ActivityKind.BALLOT_CAST, ActivityKind.BALLOT_CHANGED]);
      await fixture.replica.as(bob).castBallot({ ...ids, ballot: single("b") });
      await fixture.replica.as(carol).castBallot({ ...ids, ballot: single("c") });
      await fixture.replica.as(carol).retractBallot(ids);
      await fixture.replica.as(carol).retractBallot(ids); // nothing left: no error, nothing logged
      expect((await activityKinds()).filter((k) => k === ActivityKind.BALLOT_RETRACTED)).toHaveLength(1);

      const mine = await fixture.replica.as(alice).getMyBallot(ids);
      expect(mine.ballot?.choice).toEqual({ case: "optionId", value: "b" });
      expect((await fixture.replica.as(carol).getMyBallot(ids)).ballot).toBeUndefined();
      const listed = await fixture.replica.as().listBallots(ids);
      expect(listed.ballots.map((b) => b.voterId).sort()).toEqual([alice, bob].sort());
      expect(listed.ballots.every((b) => b.ballot?.choice.case === "optionId")).toBe(true);

      const live = (await fixture.replica.as().getResults(ids)).results!;
      expect(live.final).toBe(false);
      expect(live.winners).toEqual(["b"]);

      const closed = await fixture.replica.as(admin).closePoll(ids);
      expect(closed.poll!.state).toBe(PollState.CLOSED);
      const results = closed.results!;
      expect(results.final).toBe(true);
      expect(results.winners).toEqual(["b"]);
      expect(results.ballots).toBe(2);
      expect(results.countedWeight).toBe(2);
      expect(results.quorumMet).toBe(true);
      // Single choice without a pass threshold elects; it asks no pass/fail question.
      expect(results.passed).toBeUndefined();
      expect(results.verdict).toBe(Verdict.ELECTED);
      expect(results.resultHash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashOf(results)).toBe(results.resultHash);
      const again2 = (await fixture.replica.as().getResults(ids)).results!;
      expect(toJson(PollResultsSchema, again2)).toEqual(toJson(PollResultsSchema, results));
      const log = (await fixture.replica.as(admin).listActivity({ communityId: community, pageSize: 1000 })).entries;
      const published = log.find((e) => e.kind === ActivityKind.RESULT_PUBLISHED && e.pollId === poll!.id)!;
      expect(JSON.parse(published.payload).result_hash).toBe(results.resultHash);
      expect(log.some((e) => e.kind === ActivityKind.POLL_CLOSED && e.pollId === poll!.id)).toBe(true);
      expect(reasonOf(await rejection(fixture.replica.as(bob).castBallot({ ...ids, ballot: single("a") })))).toBe("POLL_NOT_OPEN");
    });

    it("tells the caller whether they may vote: current role before open, the snapshot after", async () => {
      // Its own community: a member joining here must not change the other tests' eligible counts.
      const club = directory.addCommunity();
      const [chair, alice, olga] = [directory.addMember(club, "admin"), directory.addMember(club, "member"), directory.addMember(club, "observer")];
      const createPoll = (poll: PollInit) =>
        fixture.replica.as(chair).createPoll({ poll: { communityId: club, title: "Lunch", method: VotingMethod.SINGLE_CHOICE, options: opts("a", "b"), ...poll } });
      const { poll } = await createPoll({});
      const ids = { communityId: club, pollId: poll!.id };
      expect((await fixture.replica.as(alice).getMyBallot(ids)).eligible).toBe(true);
      expect((await fixture.replica.as(olga).getMyBallot(ids)).eligible).toBe(false);
      await fixture.replica.as(chair).openPoll(ids);
      // Joined after the open: not in the snapshot, so not eligible here, though eligible in a new draft.
      const late = directory.addMember(club, "member");
      const lates = await fixture.replica.as(late).getMyBallot(ids);
      expect(lates.eligible).toBe(false);
      expect(reasonOf(await rejection(fixture.replica.as(late).castBallot({ ...ids, ballot: single("a") })))).toBe("NOT_ELIGIBLE");
      expect((await fixture.replica.as(alice).getMyBallot(ids)).eligible).toBe(true);
      expect((await fixture.replica.as(olga).getMyBallot(ids)).eligible).toBe(false);
      const { poll: next } = await createPoll({});
      expect((await fixture.replica.as(late).getMyBallot({ communityId: club, pollId: next!.id })).eligible).toBe(true);
    });

    it("hides results and choices as the poll says, and shows a delegate's secret ballot to their delegator only after close", async () => {
      const { poll } = await fixture.replica.as(admin).createPoll({
        poll: { communityId: community, title: "Budget", method: VotingMethod.PROPOSAL, resultVisibility: ResultVisibility.AFTER_VOTE, secrecy: BallotSecrecy.SECRET, topics: ["money"] },
      });
      const ids = { communityId: community, pollId: poll!.id };
      await fixture.replica.as(admin).openPoll(ids);
      await fixture.replica.as(bob).setDelegation({ communityId: community, delegateId: alice, topic: "money" });
      await fixture.replica.as(alice).castBallot({ ...ids, ballot: { choice: { case: "proposal", value: ProposalChoice.AGREE } } });
      expect(reasonOf(await rejection(fixture.replica.as(carol).getResults(ids)))).toBe("RESULTS_NOT_VISIBLE");
      expect(reasonOf(await rejection(fixture.replica.as().getResults(ids)))).toBe("RESULTS_NOT_VISIBLE");
      const seen = (await fixture.replica.as(alice).getResults(ids)).results!;
      // Live results of a secret poll count direct ballots only: bob's delegated weight is applied at close.
      expect(seen.countedWeight).toBe(1);
      expect(seen.delegatedWeight).toBe(0);
      expect(seen.passed).toBe(true);
      const listed = await fixture.replica.as(alice).listBallots(ids);
      expect(listed.ballots.map((b) => b.voterId)).toEqual([alice]);
      expect(listed.ballots[0].ballot).toBeUndefined();
      const bobs = await fixture.replica.as(bob).getMyBallot(ids);
      expect(bobs.ballot).toBeUndefined();
      expect(bobs.delegationChain).toContain(alice);
      expect(bobs.delegateVoted).toBe(true);
      expect(bobs.delegateBallot).toBeUndefined();
      const closed = await fixture.replica.as(admin).closePoll(ids);
      expect(closed.results!.weightFlows.find((f) => f.voterId === bob)).toMatchObject({ countedWith: alice, outcome: "delegated" });
      expect(closed.results!.countedWeight).toBe(2);
      expect((await fixture.replica.as(bob).getMyBallot(ids)).delegateBallot?.choice).toEqual({ case: "proposal", value: ProposalChoice.AGREE });
      expect((await fixture.replica.as().getResults(ids)).results!.final).toBe(true);
      // Secret: the log says who voted, never what.
      const log = (await fixture.replica.as(admin).listActivity({ communityId: community, pageSize: 1000 })).entries;
      const cast = log.find((e) => e.kind === ActivityKind.BALLOT_CAST && e.pollId === poll!.id)!;
      expect(JSON.parse(cast.payload)).toEqual({ voter_id: alice });
    });

    it("counts ranked methods with rounds and matrices", async () => {
      for (const method of [VotingMethod.SCHULZE, VotingMethod.STV, VotingMethod.RANKED_IRV]) {
        const { poll } = await createPoll({ method, seats: method === VotingMethod.STV ? 2 : 0 });
        const ids = { communityId: community, pollId: poll!.id };
        await fixture.replica.as(admin).openPoll(ids);
        const bad = await rejection(fixture.replica.as(alice).castBallot({ ...ids, ballot: rank(["a"], ["a"]) }));
        expect(bad.message).toContain("ballot.ranking.ranks[1].option_ids[0]");
        await fixture.replica.as(alice).castBallot({ ...ids, ballot: rank(["a"], ["b"]) });
        await fixture.replica.as(bob).castBallot({ ...ids, ballot: rank(["b"], ["a"]) });
        await fixture.replica.as(carol).castBallot({ ...ids, ballot: rank(["a"], ["c"]) });
        const { results } = await fixture.replica.as(admin).closePoll(ids);
        expect(results!.winners[0]).toBe("a");
        if (method === VotingMethod.SCHULZE) {
          expect(results!.pairwise!.optionIds).toEqual(["a", "b", "c"]);
          expect(results!.pairwise!.rows[0].values).toEqual([0, 2, 3]);
          expect(results!.strongestPaths!.rows).toHaveLength(3);
        } else {
          expect(results!.rounds.length).toBeGreaterThan(0);
        }
        if (method === VotingMethod.STV) expect(results!.quota).toBeGreaterThan(0);
      }
    });

    it("streams a ballot to a watcher (after commit) and ends at close", async () => {
      const { poll } = await createPoll({ resultVisibility: ResultVisibility.AFTER_CLOSE });
      const ids = { communityId: community, pollId: poll!.id };
      await fixture.replica.as(admin).openPoll(ids);
      const seen: Array<{ state: PollState; ballots: number; hasResults: boolean }> = [];
      const watching = (async () => {
        for await (const u of fixture.replica.as(alice).watchPoll(ids)) seen.push({ state: u.state, ballots: u.ballots, hasResults: u.results !== undefined });
      })();
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
      await fixture.replica.as(bob).castBallot({ ...ids, ballot: single("a") });
      await expect.poll(() => seen.at(-1)?.ballots, { timeout: 5000 }).toBe(1);
      expect(seen.at(-1)!.hasResults).toBe(false);
      await fixture.replica.as(admin).closePoll(ids);
      await watching;
      expect(seen.at(-1)).toEqual({ state: PollState.CLOSED, ballots: 1, hasResults: true });
    });

    it("opens and closes scheduled polls from the scheduler", async () => {
      const soon = new Date(Date.now() + 1500);
      const { poll } = await createPoll({ opensAt: timestampFromDate(soon), closesAt: timestampFromDate(new Date(soon.getTime() + 1000)) });
      expect(poll!.state).toBe(PollState.SCHEDULED);
      const ids = { communityId: community, pollId: poll!.id };
      expect(await fixture.replica.scheduler.tick(new Date())).toBe(0);
      await fixture.replica.scheduler.tick(new Date(soon.getTime() + 10));
      const opened = (await fixture.replica.as().getPoll(ids)).poll!;
      expect(opened.state).toBe(PollState.OPEN);
      expect(opened.eligibleCount).toBe(4);
      await new Promise((resolve) => setTimeout(resolve, soon.getTime() - Date.now() + 50));
      await fixture.replica.as(alice).castBallot({ ...ids, ballot: single("c") });
      await fixture.replica.scheduler.tick(new Date(soon.getTime() + 1100));
      const results = (await fixture.replica.as().getResults(ids)).results!;
      expect(results.final).toBe(true);
      expect(results.winners).toEqual(["c"]);
    });
  });
}
