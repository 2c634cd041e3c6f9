// The voting port (what the governance module's `polity` plugin calls) on PGlite and PostgreSQL: a poll it
// creates is open and logged as CreatePoll + OpenPoll would log it, members vote through the VotingService, and
// the outcome is the published result keyed by label — never a live count before close.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActivityKind, PollState } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { reasonOf, rejection } from "../../test/support/failures.js";
import { PollEntity } from "./entities.js";
import { createVotingPort } from "./port.js";
import { useVotingStage } from "./test-support.js";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`voting port on ${backend}`, () => {
    // The observer may not vote: eligible are admin, alice, bob and carol.
    const { directory, fixture, community, archived, admin, alice, bob, carol } = useVotingStage(backend, "voting-port", { beforeAll, afterAll });
    const port = () => createVotingPort(fixture.replica.deps);
    const activityKinds = async () => (await fixture.replica.as(admin).listActivity({ communityId: community, pageSize: 1000 })).entries.map((e) => e.kind);
    const vote = (voter: string, pollId: string, optionId: string) =>
      fixture.replica.as(voter).castBallot({ communityId: community, pollId, ballot: { choice: { case: "optionId", value: optionId } } });

    it("creates an open single-choice poll logged as created then opened, and publishes its result only at close", async () => {
      const before = (await activityKinds()).length;
      const pollId = await port().createPoll({ communityId: community, actorId: admin, title: "Where do we meet?", options: ["Park", "Library", "Café"], details: "Pick one." });

      const { poll } = await fixture.replica.as(admin).getPoll({ communityId: community, pollId });
      expect(poll!.state).toBe(PollState.OPEN);
      expect(poll!.body).toBe("Pick one.");
      expect(poll!.createdBy).toBe(admin);
      expect(poll!.options.map((o) => [o.id, o.label])).toEqual([["option-1", "Park"], ["option-2", "Library"], ["option-3", "Café"]]);
      // admin, alice, bob and carol; the observer may not vote.
      expect(poll!.eligibleCount).toBe(4);
      expect((await activityKinds()).slice(before)).toEqual([ActivityKind.POLL_CREATED, ActivityKind.POLL_OPENED]);

      await vote(alice, pollId, "option-2");
      await vote(bob, pollId, "option-2");
      await vote(carol, pollId, "option-1");
      // Open: the state, and no count at all (the poll's results are published at close).
      expect(await port().pollOutcome({ communityId: community, pollId })).toEqual({ state: "open", outcome: {} });

      await port().closePoll({ communityId: community, pollId, actorId: admin });
      const { state, outcome } = await port().pollOutcome({ communityId: community, pollId });
      const published = (await fixture.replica.as(admin).getResults({ communityId: community, pollId })).results!;
      expect(state).toBe("closed");
      expect(outcome).toEqual({
        poll_id: pollId,
        votes: { Park: 1, Library: 2, Café: 0 },
        winners: ["Library"],
        voters_count: 3,
        eligible_count: 4,
        verdict: "elected",
        result_hash: published.resultHash,
      });
      expect((await activityKinds()).slice(-2)).toEqual([ActivityKind.POLL_CLOSED, ActivityKind.RESULT_PUBLISHED]);

      // Closing again (a driver's DELETE racing the schedule) changes nothing and logs nothing.
      const logged = (await activityKinds()).length;
      await port().closePoll({ communityId: community, pollId, actorId: admin });
      expect((await activityKinds()).length).toBe(logged);
      expect((await port().pollOutcome({ communityId: community, pollId })).outcome).toEqual(outcome);
    });

    it("is closed by the voting schedule at closing time", async () => {
      const closingAt = new Date(Date.now() + 60_000);
      const pollId = await port().createPoll({ communityId: community, actorId: admin, title: "Timed", options: ["Yes", "No"], closingAt });
      const { poll } = await fixture.replica.as(admin).getPoll({ communityId: community, pollId });
      expect(Number(poll!.closesAt!.seconds)).toBe(Math.floor(closingAt.getTime() / 1000));
      await vote(alice, pollId, "option-1");
      await fixture.replica.scheduler.tick(new Date(closingAt.getTime() + 1000));
      const { state, outcome } = await port().pollOutcome({ communityId: community, pollId });
      expect(state).toBe("closed");
      expect(outcome).toMatchObject({ votes: { Yes: 1, No: 0 }, winners: ["Yes"], voters_count: 1, verdict: "elected" });
    });

    it("refuses what CreatePoll refuses, and polls of another community", async () => {
      const base = { communityId: community, actorId: admin, title: "Lunch", options: ["a", "b"] };
      const cases: Array<[Partial<typeof base> & { closingAt?: Date }, Code, string]> = [
        [{ options: ["only one"] }, Code.InvalidArgument, "poll.options"],
        [{ options: ["same", "same"] }, Code.InvalidArgument, "poll.options"],
        [{ title: "no" }, Code.InvalidArgument, "title"],
        [{ closingAt: new Date(Date.now() - 1000) }, Code.InvalidArgument, "poll.closes_at"],
        [{ communityId: archived }, Code.FailedPrecondition, "archived"],
        [{ communityId: crypto.randomUUID() }, Code.NotFound, "not found"],
      ];
      for (const [change, code, text] of cases) {
        const error = await rejection(port().createPoll({ ...base, ...change }));
        expect(error.code, text).toBe(code);
        expect(error.message).toContain(text);
      }
      const pollId = await port().createPoll(base);
      expect((await rejection(port().pollOutcome({ communityId: archived, pollId }))).code).toBe(Code.NotFound);
      expect((await rejection(port().closePoll({ communityId: archived, pollId, actorId: admin }))).code).toBe(Code.NotFound);
    });

    it("defers the eligibility snapshot when the directory needs a bearer it was not given (two binaries)", async () => {
      const listMembers = directory.listMembers;
      // As the remote directory of two binaries: sys answers only a caller with a valid token.
      directory.listMembers = async (id, roles, bearer) => {
        if (!bearer || bearer === "Bearer expired") throw new Error("unauthenticated");
        return listMembers(id, roles, bearer);
      };
      try {
        const pollId = await port().createPoll({ communityId: community, actorId: admin, title: "Deferred", options: ["a", "b"] });
        const deferred = await fixture.replica.deps.db.em().fork().findOneOrFail(PollEntity, { id: pollId });
        expect(deferred.state).toBe("open");
        expect(deferred.snapshotAt).toBeNull();
        // With a bearer given, a directory failure fails the call as OpenPoll does.
        expect(reasonOf(await rejection(port().createPoll({ communityId: community, actorId: admin, title: "Strict", options: ["a", "b"], bearer: "Bearer expired" })))).toBe("ELIGIBILITY_UNAVAILABLE");
        // Closing with the caller's bearer takes the snapshot first, then counts.
        await port().closePoll({ communityId: community, pollId, actorId: admin, bearer: `Bearer ${admin}` });
        expect((await port().pollOutcome({ communityId: community, pollId })).outcome).toMatchObject({ eligible_count: 4, verdict: "no_votes" });
      } finally {
        directory.listMembers = listMembers;
      }
    });

    it("closes a poll without ballots with no winner", async () => {
      const pollId = await port().createPoll({ communityId: community, actorId: admin, title: "Quiet", options: ["a", "b"] });
      await port().closePoll({ communityId: community, pollId, actorId: bob });
      const { outcome } = await port().pollOutcome({ communityId: community, pollId });
      expect(outcome).toMatchObject({ votes: { a: 0, b: 0 }, winners: [], voters_count: 0, verdict: "no_votes" });
      expect(reasonOf(await rejection(vote(alice, pollId, "option-1")))).toBe("POLL_NOT_OPEN");
    });
  });
}
