// CastBallot's group commit (cast-queue.ts) under concurrency, on two replicas sharing one PostgreSQL database:
// casts that arrive together share a transaction, yet each keeps its own outcome, and the log stays one
// gap-free chain with exactly one entry per acknowledged change.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "@polity/tally";
import { ActivityKind, VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { reasonOf } from "../../../sys/core/errors.js";
import { rejection } from "../../../test/support/failures.js";
import { chainEntryOf } from "../../../clients/src/activity-log.js";
import { useTwoReplicas } from "../test-support.js";

const single = (optionId: string) => ({ choice: { case: "optionId" as const, value: optionId } });

describe("CastBallot group commit on PostgreSQL", () => {
  const replicas = useTwoReplicas("castq", 30, { beforeAll, afterAll });
  const { community, admin, voters } = replicas;

  it("batches concurrent casts, isolates each one's failure, keeps a voter's order and the chain whole", async () => {
    const { a, b } = replicas;
    const { poll } = await a.as(admin).createPoll({ poll: {
      communityId: community, title: "Colour", method: VotingMethod.SINGLE_CHOICE,
      options: [{ id: "red", label: "Red" }, { id: "blue", label: "Blue" }] as never,
    } });
    const ids = { communityId: community, pollId: poll!.id };
    await a.as(admin).openPoll(ids);
    const outsider = crypto.randomUUID();

    // All sent in one turn: each voter twice on its replica ("red" then "blue"), plus two casts that must fail alone.
    const casts = voters.flatMap((v, i) => {
      const replica = i % 2 ? b : a;
      return [replica.as(v).castBallot({ ...ids, ballot: single("red") }), replica.as(v).castBallot({ ...ids, ballot: single("blue") })];
    });
    const [notEligible, invalid, ...acks] = await Promise.allSettled([
      rejection(a.as(outsider).castBallot({ ...ids, ballot: single("red") })),
      rejection(a.as(voters[0]).castBallot({ ...ids, ballot: single("green") })),
      ...casts,
    ]);
    expect(reasonOf((notEligible as PromiseFulfilledResult<Error>).value)).toBe("NOT_ELIGIBLE");
    expect(((invalid as PromiseFulfilledResult<{ code: Code }>).value).code).toBe(Code.InvalidArgument);
    expect(acks.every((r) => r.status === "fulfilled" && r.value.changed)).toBe(true);

    // The later cast of each voter won, and was not answered before its ballot was stored.
    const tally = await a.as(admin).closePoll(ids);
    expect(tally.results!.ballots).toBe(voters.length);
    expect(tally.results!.winners).toEqual(["blue"]);
    for (const v of voters.slice(0, 3)) expect((await b.as(v).getMyBallot(ids)).ballot?.choice).toEqual({ case: "optionId", value: "blue" });

    const { entries, headSequence } = await a.as(admin).listActivity({ communityId: community, pageSize: 1000 });
    expect(await verifyChain(entries.map(chainEntryOf), Number(headSequence))).toBeUndefined();
    const ballotEntries = entries.filter((e) => e.kind === ActivityKind.BALLOT_CAST || e.kind === ActivityKind.BALLOT_CHANGED);
    expect(ballotEntries.filter((e) => e.kind === ActivityKind.BALLOT_CAST)).toHaveLength(voters.length);
    expect(ballotEntries).toHaveLength(casts.length);
    // Grouped: far fewer commits (one time per batch) than casts.
    expect(new Set(ballotEntries.map((e) => e.time?.seconds + ":" + e.time?.nanos)).size).toBeLessThan(casts.length / 4);
  }, 60_000);
});
