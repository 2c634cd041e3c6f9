// Per-voter option order (a stored flag) and when the electorate is fixed: at open (the default; a later
// joiner is told why they cannot vote) or at close (joiners while open may vote; the electorate at close is in
// the poll_closed entry, and the log alone still recounts the poll). PGlite and PostgreSQL, directory faked.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { auditPolls, verifyChain } from "@polity/tally";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActivityKind, BallotSecrecy, EligibilitySnapshot, type PollSchema, PollState, PollOptionSchema, ResultVisibility, VotingMethod,
} from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { chainEntryOf } from "../../clients/src/activity-log.js";
import { reasonOf } from "../../sys/core/errors.js";
import { rejection } from "../../test/support/failures.js";
import { createFakeDirectory, useReplica } from "./test-support.js";

type PollInit = MessageInitShape<typeof PollSchema>;
const opts = (...ids: string[]) => ids.map((id) => create(PollOptionSchema, { id, label: id.toUpperCase() }));
const single = (optionId: string) => ({ choice: { case: "optionId" as const, value: optionId } });

for (const backend of ["pglite", "postgres"] as const) {
  describe(`poll electorate and option order on ${backend}`, () => {
    const directory = createFakeDirectory();
    const fixture = useReplica(backend, "electorate", directory, { beforeAll, afterAll });

    /** Each test its own community, so joiners do not change the others' electorates. */
    const club = () => {
      const id = directory.addCommunity();
      return { id, chair: directory.addMember(id, "admin"), alice: directory.addMember(id, "member"), olga: directory.addMember(id, "observer") };
    };
    const createPoll = (communityId: string, chair: string, poll: PollInit = {}) =>
      fixture.replica.as(chair).createPoll({ poll: { communityId, title: "Lunch", method: VotingMethod.SINGLE_CHOICE, options: opts("a", "b", "c"), ...poll } });
    const logOf = async (communityId: string) => (await fixture.replica.as().listActivity({ communityId, pageSize: 1000 })).entries;

    it("stores shuffle_options and eligibility_snapshot, defaulting to listed order and the electorate at open", async () => {
      const c = club();
      const { poll: plain } = await createPoll(c.id, c.chair);
      expect(plain!.shuffleOptions).toBe(false);
      expect(plain!.eligibilitySnapshot).toBe(EligibilitySnapshot.AT_OPEN);
      const { poll } = await createPoll(c.id, c.chair, { shuffleOptions: true, eligibilitySnapshot: EligibilitySnapshot.AT_CLOSE });
      expect(poll!.shuffleOptions).toBe(true);
      expect(poll!.eligibilitySnapshot).toBe(EligibilitySnapshot.AT_CLOSE);
      const got = (await fixture.replica.as(c.alice).getPoll({ communityId: c.id, pollId: poll!.id })).poll!;
      expect([got.shuffleOptions, got.eligibilitySnapshot]).toEqual([true, EligibilitySnapshot.AT_CLOSE]);
      const listed = (await fixture.replica.as(c.alice).listPolls({ communityId: c.id })).polls.find((p) => p.id === poll!.id)!;
      expect([listed.shuffleOptions, listed.eligibilitySnapshot]).toEqual([true, EligibilitySnapshot.AT_CLOSE]);

      const { poll: updated } = await fixture.replica.as(c.chair).updatePoll({
        poll: { ...got, shuffleOptions: false, eligibilitySnapshot: EligibilitySnapshot.AT_OPEN },
        updateMask: create(FieldMaskSchema, { paths: ["shuffle_options", "eligibility_snapshot"] }),
      });
      expect([updated!.shuffleOptions, updated!.eligibilitySnapshot]).toEqual([false, EligibilitySnapshot.AT_OPEN]);
      // A mask without them leaves them alone.
      const { poll: again } = await fixture.replica.as(c.chair).updatePoll({
        poll: { ...updated!, title: "Dinner", shuffleOptions: true }, updateMask: create(FieldMaskSchema, { paths: ["title"] }),
      });
      expect([again!.title, again!.shuffleOptions]).toEqual(["Dinner", false]);
      // An undefined enum value is refused by validation.
      expect((await rejection(createPoll(c.id, c.chair, { eligibilitySnapshot: 7 as EligibilitySnapshot }))).code).toBe(Code.InvalidArgument);
    });

    it("at open (default): a later joiner is told why they cannot vote, and so are non-members and observers", async () => {
      const c = club();
      const { poll } = await createPoll(c.id, c.chair);
      const ids = { communityId: c.id, pollId: poll!.id };
      const { poll: opened } = await fixture.replica.as(c.chair).openPoll(ids);
      expect(opened!.eligibleCount).toBe(2);
      const late = directory.addMember(c.id, "member");
      const mine = await fixture.replica.as(late).getMyBallot(ids);
      expect([mine.eligible, mine.notEligibleReason]).toEqual([false, "JOINED_AFTER_SNAPSHOT"]);
      expect(reasonOf(await rejection(fixture.replica.as(late).castBallot({ ...ids, ballot: single("a") })))).toBe("NOT_ELIGIBLE");
      const observer = await fixture.replica.as(c.olga).getMyBallot(ids);
      expect([observer.eligible, observer.notEligibleReason]).toEqual([false, "ROLE_NOT_ELIGIBLE"]);
      const stranger = await fixture.replica.as(crypto.randomUUID()).getMyBallot(ids);
      expect([stranger.eligible, stranger.notEligibleReason]).toEqual([false, "NOT_MEMBER"]);
      const alices = await fixture.replica.as(c.alice).getMyBallot(ids);
      expect([alices.eligible, alices.notEligibleReason]).toEqual([true, ""]);
      await fixture.replica.as(c.alice).castBallot({ ...ids, ballot: single("a") });
      const { poll: closed, results } = await fixture.replica.as(c.chair).closePoll(ids);
      expect(closed!.eligibleCount).toBe(2);
      expect(results!.eligible).toBe(2);
      const closing = (await logOf(c.id)).find((e) => e.kind === ActivityKind.POLL_CLOSED && e.pollId === ids.pollId)!;
      expect(JSON.parse(closing.payload).eligible_ids).toBeUndefined();
    });

    it("at close: members who join while open may vote; the electorate at close is logged and the log recounts", async () => {
      const c = club();
      const { poll } = await createPoll(c.id, c.chair, {
        eligibilitySnapshot: EligibilitySnapshot.AT_CLOSE, secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.LIVE,
      });
      const ids = { communityId: c.id, pollId: poll!.id };
      expect((await fixture.replica.as(c.chair).openPoll(ids)).poll!.eligibleCount).toBe(2);
      const voter = directory.addMember(c.id, "member");
      const quiet = directory.addMember(c.id, "moderator");
      const watcher = directory.addMember(c.id, "observer");
      const mine = await fixture.replica.as(voter).getMyBallot(ids);
      expect([mine.eligible, mine.notEligibleReason]).toEqual([true, ""]);
      expect((await fixture.replica.as(watcher).getMyBallot(ids)).notEligibleReason).toBe("ROLE_NOT_ELIGIBLE");
      expect(reasonOf(await rejection(fixture.replica.as(watcher).castBallot({ ...ids, ballot: single("b") })))).toBe("NOT_ELIGIBLE");

      expect((await fixture.replica.as(voter).castBallot({ ...ids, ballot: single("b") })).changed).toBe(true);
      expect((await fixture.replica.as(voter).castBallot({ ...ids, ballot: single("c") })).changed).toBe(true);
      expect((await fixture.replica.as(voter).getMyBallot(ids)).ballot?.choice).toEqual({ case: "optionId", value: "c" });
      expect((await fixture.replica.as(c.alice).getPoll(ids)).poll!.eligibleCount).toBe(3);
      const second = directory.addMember(c.id, "member");
      await fixture.replica.as(second).castBallot({ ...ids, ballot: single("c") });
      await fixture.replica.as(c.chair).castBallot({ ...ids, ballot: single("a") });

      const { poll: closed, results } = await fixture.replica.as(c.chair).closePoll(ids);
      // chair, alice (did not vote), the two joiners who voted, and the moderator who joined and did not vote.
      expect(closed!.eligibleCount).toBe(5);
      expect(results!.eligible).toBe(5);
      expect(results!.winners).toEqual(["c"]);
      const log = await logOf(c.id);
      const closing = log.find((e) => e.kind === ActivityKind.POLL_CLOSED && e.pollId === ids.pollId)!;
      expect(JSON.parse(closing.payload)).toMatchObject({ eligible: 5, eligible_ids: [c.chair, c.alice, voter, quiet, second].sort() });
      const late = directory.addMember(c.id, "member");
      const after = await fixture.replica.as(late).getMyBallot(ids);
      expect([after.eligible, after.notEligibleReason]).toEqual([false, "JOINED_AFTER_SNAPSHOT"]);
      expect(reasonOf(await rejection(fixture.replica.as(late).castBallot({ ...ids, ballot: single("a") })))).toBe("POLL_NOT_OPEN");

      const whole = await fixture.replica.as().listActivity({ communityId: c.id, pageSize: 1000 });
      const chain = whole.entries.map(chainEntryOf);
      expect(await verifyChain(chain, Number(whole.headSequence))).toBeUndefined();
      expect((await auditPolls(chain)).find((a) => a.pollId === ids.pollId)).toMatchObject({ status: "verified", winners: ["c"] });
      // Without the electorate logged at close, the joiners' ballots would not count: the recount elects "a".
      const stripped = chain.map((e) => (e.sequence === Number(closing.sequence) ? { ...e, payload: JSON.stringify({ ballots: 3 }) } : e));
      expect((await auditPolls(stripped)).find((a) => a.pollId === ids.pollId)).toMatchObject({ status: "mismatch", winners: ["a"] });
    });

    it("at close, closed by the scheduler: the directory is read at close, and one that cannot be read keeps the electorate as it stands", async () => {
      const c = club();
      const closesAt = new Date(Date.now() + 60_000);
      const make = async () => {
        const { poll } = await createPoll(c.id, c.chair, { eligibilitySnapshot: EligibilitySnapshot.AT_CLOSE, closesAt: timestampFromDate(closesAt) });
        await fixture.replica.as(c.chair).openPoll({ communityId: c.id, pollId: poll!.id });
        return poll!.id;
      };
      const [first, second] = [await make(), await make()];
      const joiner = directory.addMember(c.id, "member");
      await fixture.replica.as(joiner).castBallot({ communityId: c.id, pollId: second, ballot: single("b") });
      const quiet = directory.addMember(c.id, "member");
      // Both close with the directory readable; later it fails, as a remote directory without a bearer does.
      const listMembers = directory.listMembers;
      await fixture.replica.scheduler.tick(new Date(closesAt.getTime() + 1000));
      const eligibleIdsOf = async (pollId: string) =>
        JSON.parse((await logOf(c.id)).find((e) => e.kind === ActivityKind.POLL_CLOSED && e.pollId === pollId)!.payload).eligible_ids as string[];
      expect(await eligibleIdsOf(first)).toEqual([c.chair, c.alice, joiner, quiet].sort());
      expect(await eligibleIdsOf(second)).toEqual([c.chair, c.alice, joiner, quiet].sort());
      const third = await make();
      const later = directory.addMember(c.id, "member");
      directory.listMembers = async () => { throw new Error("directory down"); };
      try {
        await fixture.replica.scheduler.tick(new Date(closesAt.getTime() + 1000));
      } finally {
        directory.listMembers = listMembers;
      }
      const { poll } = await fixture.replica.as(c.alice).getPoll({ communityId: c.id, pollId: third });
      expect(poll!.state).toBe(PollState.CLOSED);
      // The snapshot at open; the member who joined since and did not vote could not be seen at close.
      expect(await eligibleIdsOf(third)).toEqual([c.chair, c.alice, joiner, quiet].sort());
      expect(await eligibleIdsOf(third)).not.toContain(later);
      expect(poll!.eligibleCount).toBe(4);
    });
  });
}
