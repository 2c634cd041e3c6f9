// The verdict a closed poll states, read through the API: no votes for every method, a tie decided by the seed,
// pass/fail with a threshold, and a quorum counted from the eligible voters. Real PostgreSQL.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BallotSchema, type PollSchema, PollOptionSchema, ProposalChoice, ResultVisibility, BallotSecrecy, Verdict, VotingMethod,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { createFakeDirectory, useReplica } from "../test-support.js";

type PollInit = MessageInitShape<typeof PollSchema>;
type BallotInit = MessageInitShape<typeof BallotSchema>;
const opts = (...ids: string[]) => ids.map((id) => create(PollOptionSchema, { id, label: id[0].toUpperCase() + id.slice(1) }));
const single = (optionId: string): BallotInit => ({ choice: { case: "optionId", value: optionId } });
const agree: BallotInit = { choice: { case: "proposal", value: ProposalChoice.AGREE } };

describe("the verdict of a closed poll", () => {
  const directory = createFakeDirectory();
  const fixture = useReplica("postgres", "verdict", directory, { beforeAll, afterAll });
  const community = directory.addCommunity();
  const admin = directory.addMember(community, "admin");
  const [alice, bob, carol] = [directory.addMember(community, "member"), directory.addMember(community, "member"), directory.addMember(community, "member")];

  /** Creates, opens, casts the given ballots and closes; returns the final result. */
  async function closed(poll: PollInit, ballots: Array<[string, BallotInit]> = []) {
    const { poll: created } = await fixture.replica.as(admin).createPoll({
      poll: { communityId: community, title: "Capital", method: VotingMethod.SINGLE_CHOICE, options: opts("lisbon", "faro", "porto"),
        resultVisibility: ResultVisibility.LIVE, secrecy: BallotSecrecy.PUBLIC, tieBreakSeed: "seed", ...poll },
    });
    const ids = { communityId: community, pollId: created!.id };
    await fixture.replica.as(admin).openPoll(ids);
    for (const [voter, ballot] of ballots) await fixture.replica.as(voter).castBallot({ ...ids, ballot });
    return (await fixture.replica.as(admin).closePoll(ids)).results!;
  }

  it("takes a blank ranked ballot (nothing ranked) as turnout that gives no option anything", async () => {
    const blank: BallotInit = { choice: { case: "ranking", value: { ranks: [] } } };
    for (const method of [VotingMethod.RANKED_IRV, VotingMethod.SCHULZE, VotingMethod.STV]) {
      const onlyBlank = await closed({ method }, [[alice, blank]]);
      expect({ method: VotingMethod[method], ballots: onlyBlank.ballots, verdict: Verdict[onlyBlank.verdict], winners: onlyBlank.winners })
        .toEqual({ method: VotingMethod[method], ballots: 1, verdict: "NO_VOTES", winners: [] });
      const withOther = await closed({ method }, [[alice, blank], [bob, { choice: { case: "ranking", value: { ranks: [{ optionIds: ["faro"] }] } } }]]);
      expect({ method: VotingMethod[method], ballots: withOther.ballots, winners: withOther.winners }).toEqual({ method: VotingMethod[method], ballots: 2, winners: ["faro"] });
    }
  });

  it("says no votes, with no winner, ranking, rounds or tie-break, for every method", async () => {
    const methods = [VotingMethod.PROPOSAL, VotingMethod.SINGLE_CHOICE, VotingMethod.APPROVAL, VotingMethod.SCORE, VotingMethod.STAR,
      VotingMethod.RANKED_IRV, VotingMethod.SCHULZE, VotingMethod.STV];
    for (const method of methods) {
      const r = await closed({ method, options: method === VotingMethod.PROPOSAL ? [] : opts("lisbon", "faro", "porto") });
      expect({ method: VotingMethod[method], verdict: Verdict[r.verdict], winners: r.winners, ranking: r.ranking, rounds: r.rounds, tieBreaks: r.tieBreaks, decidedBy: r.decidedBy })
        .toEqual({ method: VotingMethod[method], verdict: "NO_VOTES", winners: [], ranking: [], rounds: [], tieBreaks: [], decidedBy: undefined });
      // No quorum configured: nothing to say about one.
      expect(r.quorumNeeded).toBeUndefined();
      expect(r.passed === undefined || r.passed === false).toBe(true);
    }
  });

  it("a 1–1 single choice is elected by the seed, and the tie-break is the reason", async () => {
    const r = await closed({}, [[alice, single("lisbon")], [bob, single("faro")]]);
    expect(Verdict[r.verdict]).toBe("TIED_BROKEN_BY_SEED");
    expect(r.passed).toBeUndefined();
    expect(r.winners).toHaveLength(1);
    expect(r.decidedBy).toMatchObject({ rule: "seed", chosenOptionId: r.winners[0] });
    expect([...r.decidedBy!.tiedOptionIds].sort()).toEqual(["faro", "lisbon"]);
  });

  it("a clear single choice is elected; with a pass threshold it passes or is rejected", async () => {
    const votes: Array<[string, BallotInit]> = [[alice, single("lisbon")], [bob, single("lisbon")], [carol, single("faro")]];
    expect(Verdict[(await closed({}, votes)).verdict]).toBe("ELECTED");
    const passed = await closed({ passThresholdPercent: 60 }, votes);
    expect([Verdict[passed.verdict], passed.passed]).toEqual(["PASSED", true]);
    const rejected = await closed({ passThresholdPercent: 70 }, votes);
    expect([Verdict[rejected.verdict], rejected.passed]).toEqual(["REJECTED", false]);
  });

  it("a quorum is counted from the eligible voters, and only shown when there is one", async () => {
    // Four eligible (admin, alice, bob, carol): 50 % needs a counted weight of 2.
    const short = await closed({ method: VotingMethod.PROPOSAL, options: [], quorum: { kind: { case: "percentOfEligible", value: 50 } } }, [[alice, agree]]);
    expect([Verdict[short.verdict], short.quorumMet, short.quorumNeeded, short.eligible]).toEqual(["NO_QUORUM", false, 2, 4]);
    expect(short.passed).toBe(false);
    const met = await closed({ method: VotingMethod.PROPOSAL, options: [], quorum: { kind: { case: "absolute", value: 2 } } }, [[alice, agree], [bob, agree]]);
    expect([Verdict[met.verdict], met.quorumMet, met.quorumNeeded, met.passed]).toEqual(["PASSED", true, 2, true]);
    const none = await closed({ method: VotingMethod.PROPOSAL, options: [] });
    expect([Verdict[none.verdict], none.quorumNeeded]).toEqual(["NO_VOTES", undefined]);
  });
});
