// The stranger's view of other people's ballots (ballots/privacy.ts): a member who delegates to a voter after
// they voted, peeks through every read RPC and revokes learns no choice; after close only those whose weight
// the final result counted with the delegate's ballot see it. And the activity log of a public poll whose
// results come after close shows no choice until it closes, then enough to recount it.
import { type MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPolls, verifyChain } from "@polity/tally";
import {
  ActivityKind, type BallotSchema, BallotSecrecy, type PollSchema, ResultVisibility, VotingMethod,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { chainEntryOf } from "../../../clients/src/activity-log.js";
import { createFakeDirectory, useReplica } from "../test-support.js";

type BallotInit = MessageInitShape<typeof BallotSchema>;
const single = (optionId: string): BallotInit => ({ choice: { case: "optionId", value: optionId } });

for (const backend of ["pglite", "postgres"] as const) {
  describe(`ballot privacy on ${backend}`, () => {
    const directory = createFakeDirectory();
    const community = directory.addCommunity();
    const admin = directory.addMember(community, "admin");
    // voter votes; mallory delegates after, peeks, revokes; nina delegates and keeps it; otto delegates through
    // nina's delegate chain (otto → pia → voter, pia not voting); quinn delegates but votes herself.
    const [voter, mallory, nina, otto, pia, quinn, other] = Array.from({ length: 7 }, () => directory.addMember(community, "member"));
    const fixture = useReplica(backend, "ballot_privacy", directory, { beforeAll, afterAll });


    const open = async (poll: MessageInitShape<typeof PollSchema>) => {
      const created = (await fixture.replica.as(admin).createPoll({ poll: {
        communityId: community, title: "Playground", method: VotingMethod.SINGLE_CHOICE,
        options: [{ id: "swings", label: "Swings" }, { id: "slide", label: "Slide" }], ...poll,
      } })).poll!;
      const ids = { communityId: community, pollId: created.id };
      await fixture.replica.as(admin).openPoll(ids);
      return ids;
    };
    const delegate = (from: string, to: string) => fixture.replica.as(from).setDelegation({ communityId: community, delegateId: to });
    const revoke = (from: string) => fixture.replica.as(from).revokeDelegation({ communityId: community });
    const firstWatch = async (as: string, ids: { communityId: string; pollId: string }) => {
      const abort = new AbortController();
      try {
        for await (const message of fixture.replica.as(as).watchPoll(ids, { signal: abort.signal })) return message;
      } finally {
        abort.abort();
      }
    };

    it("a secret ballot stays secret from a delegate-peek-revoke, and is shown after close only where the weight flowed", async () => {
      const ids = await open({ secrecy: BallotSecrecy.SECRET, resultVisibility: ResultVisibility.LIVE });
      await fixture.replica.as(voter).castBallot({ ...ids, ballot: single("slide") });
      await fixture.replica.as(other).castBallot({ ...ids, ballot: single("swings") });
      const before = (await fixture.replica.as(mallory).getResults(ids)).results!;

      await delegate(mallory, voter);
      const peek = await fixture.replica.as(mallory).getMyBallot(ids);
      expect(peek.delegationChain).toEqual([voter]);
      expect(peek.delegateVoted).toBe(true);
      expect(peek.delegateBallot).toBeUndefined();
      expect((await fixture.replica.as(mallory).listBallots(ids)).ballots.every((b) => b.ballot === undefined)).toBe(true);
      // The live tally does not move with her delegation: it would say what the voter chose.
      const live = (await fixture.replica.as(mallory).getResults(ids)).results!;
      expect(live.tallies).toEqual(before.tallies);
      expect(live.delegatedWeight).toBe(0);
      expect(live.weightFlows.find((f) => f.voterId === mallory)).toBeUndefined();
      const watched = await firstWatch(mallory, ids);
      expect(watched?.results?.tallies).toEqual(before.tallies);
      const mine = await fixture.replica.as(mallory).listDelegations({ communityId: community });
      // Delegations carry where the weight goes, nothing of the delegate's ballot.
      expect(mine.outgoing.map((d) => d.chain)).toEqual([[voter]]);
      await revoke(mallory);

      await delegate(nina, voter);
      await delegate(otto, pia);
      await delegate(pia, voter);
      await delegate(quinn, voter);
      await fixture.replica.as(quinn).castBallot({ ...ids, ballot: single("swings") });
      expect((await fixture.replica.as(nina).getMyBallot(ids)).delegateBallot).toBeUndefined();
      const ottos = await fixture.replica.as(otto).getMyBallot(ids);
      expect(ottos).toMatchObject({ delegationChain: [pia, voter], delegateVoted: true });
      expect(ottos.delegateBallot).toBeUndefined();

      const { results } = await fixture.replica.as(admin).closePoll(ids);
      expect(results!.weightFlows.find((f) => f.voterId === nina)).toMatchObject({ countedWith: voter, outcome: "delegated" });
      const slide = { case: "optionId", value: "slide" };
      expect((await fixture.replica.as(nina).getMyBallot(ids)).delegateBallot?.choice).toEqual(slide);
      expect((await fixture.replica.as(otto).getMyBallot(ids))).toMatchObject({ delegationChain: [pia, voter], delegateBallot: { choice: slide } });
      // Revoked before close: no flow, nothing shown. Voted herself: her own ballot only.
      const mallorys = await fixture.replica.as(mallory).getMyBallot(ids);
      expect(mallorys).toMatchObject({ delegationChain: [], delegateVoted: false });
      expect(mallorys.delegateBallot).toBeUndefined();
      const quinns = await fixture.replica.as(quinn).getMyBallot(ids);
      expect(quinns).toMatchObject({ delegationChain: [], ballot: { choice: { value: "swings" } } });
      expect(quinns.delegateBallot).toBeUndefined();
      expect((await fixture.replica.as(mallory).listBallots(ids)).ballots.every((b) => b.ballot === undefined)).toBe(true);
      // The log never carries a secret choice, not even after close.
      const logged = (await fixture.replica.as(mallory).listActivity({ communityId: community, pageSize: 1000 })).entries.filter((e) => e.pollId === ids.pollId);
      expect(logged.some((e) => e.kind === ActivityKind.BALLOTS_REVEALED)).toBe(false);
      for (const e of logged.filter((e) => e.kind === ActivityKind.BALLOT_CAST || e.kind === ActivityKind.BALLOT_CHANGED)) expect(Object.keys(JSON.parse(e.payload))).toEqual(["voter_id"]);
    });

    it("a public poll with results after close shows no choice until close, in any RPC or the log, then recounts from the log", async () => {
      const ids = await open({ secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.AFTER_CLOSE });
      await revoke(nina);
      await delegate(nina, voter);
      await fixture.replica.as(voter).castBallot({ ...ids, ballot: single("slide") });
      await fixture.replica.as(other).castBallot({ ...ids, ballot: single("swings") });
      await fixture.replica.as(other).castBallot({ ...ids, ballot: single("slide") });
      const ninas = await fixture.replica.as(nina).getMyBallot(ids);
      expect(ninas.delegateVoted).toBe(true);
      expect(ninas.delegateBallot).toBeUndefined();
      expect((await fixture.replica.as().listBallots(ids)).ballots.every((b) => b.ballot === undefined)).toBe(true);
      const logOf = async () => (await fixture.replica.as().listActivity({ communityId: community, pageSize: 1000 })).entries.filter((e) => e.pollId === ids.pollId);
      const whileOpen = await logOf();
      const ballotEntries = whileOpen.filter((e) => e.kind === ActivityKind.BALLOT_CAST || e.kind === ActivityKind.BALLOT_CHANGED);
      expect(ballotEntries).toHaveLength(3);
      for (const e of ballotEntries) expect(Object.keys(JSON.parse(e.payload))).toEqual(["voter_id"]);

      const { results } = await fixture.replica.as(admin).closePoll(ids);
      expect((await fixture.replica.as(nina).getMyBallot(ids)).delegateBallot?.choice).toEqual({ case: "optionId", value: "slide" });
      const closed = await logOf();
      const kinds = closed.map((e) => e.kind);
      expect(kinds.slice(-3)).toEqual([ActivityKind.POLL_CLOSED, ActivityKind.BALLOTS_REVEALED, ActivityKind.RESULT_PUBLISHED]);
      expect(JSON.parse(closed.at(-2)!.payload).ballots).toEqual([
        { voter_id: voter, choice: { optionId: "slide" } }, { voter_id: other, choice: { optionId: "slide" } },
      ].sort((a, b) => a.voter_id.localeCompare(b.voter_id)));

      const whole = (await fixture.replica.as().listActivity({ communityId: community, pageSize: 1000 }));
      const chain = whole.entries.map(chainEntryOf);
      expect(await verifyChain(chain, Number(whole.headSequence))).toBeUndefined();
      const audits = await auditPolls(chain);
      expect(audits.find((a) => a.pollId === ids.pollId)).toMatchObject({ status: "verified", winners: results!.winners });
      expect(audits.filter((a) => a.status === "mismatch")).toEqual([]);
      // A revealed choice rewritten without re-hashing breaks the chain there.
      const at = chain.findIndex((e) => e.kind === "ballots_revealed");
      const forged = chain.map((e, i) => (i === at ? { ...e, payload: e.payload.replaceAll('"slide"', '"swings"') } : e));
      expect(await verifyChain(forged)).toMatchObject({ sequence: chain[at].sequence });
    });
  });
}
