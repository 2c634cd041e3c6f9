// WatchPoll across replicas: two mod "replicas" (each its own connection pool, notifier and cache) share one
// PostgreSQL database; a watcher on replica A sees every ballot cast on replica B, and the final result.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PollState, ResultVisibility, VotingMethod, type WatchPollResponse } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { createNotifier } from "../../../sys/core/notifier.js";
import { useTwoReplicas } from "../test-support.js";

describe("WatchPoll across two replicas on PostgreSQL", () => {
  const replicas = useTwoReplicas("watch", 5, { beforeAll, afterAll });
  const { community, admin, voters } = replicas;

  it("a notifier on one connection hears what another publishes, only after commit", async () => {
    const { a, b } = replicas;
    const heard: string[] = [];
    const other = createNotifier(a.db);
    const off = other.subscribe("test:channel", (p) => heard.push(p));
    await other.ready("test:channel");
    await b.deps.notifier.publish("test:channel", "one");
    await b.db.em().transactional(async (tx) => {
      const { publishInTransaction } = await import("../../../sys/core/notifier.js");
      await publishInTransaction(tx as never, "test:channel", "two");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toEqual(["one"]);
    });
    await expect.poll(() => heard, { timeout: 2000 }).toEqual(["one", "two"]);
    await b.db.em().transactional(async (tx) => {
      const { publishInTransaction } = await import("../../../sys/core/notifier.js");
      await publishInTransaction(tx as never, "test:channel", "rolled back");
      throw new Error("roll back");
    }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual(["one", "two"]);
    off();
    await other.close();
  });

  it("streams turnout and live results from every replica, ending with the final result", async () => {
    const { a, b } = replicas;
    const { poll } = await b.as(admin).createPoll({ poll: {
      communityId: community, title: "Colour", method: VotingMethod.SINGLE_CHOICE, resultVisibility: ResultVisibility.LIVE,
      options: [{ id: "red", label: "Red" }, { id: "blue", label: "Blue" }] as never,
      closesAt: timestampFromDate(new Date(Date.now() + 3600_000)),
    } });
    const ids = { communityId: community, pollId: poll!.id };
    await b.as(admin).openPoll(ids);
    const seen: WatchPollResponse[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const update of a.as().watchPoll(ids, { signal: controller.signal })) seen.push(update);
    })();
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
    expect(seen[0]).toMatchObject({ state: PollState.OPEN, eligible: 6, ballots: 0 });

    await b.as(voters[0]).castBallot({ ...ids, ballot: { choice: { case: "optionId", value: "red" } } });
    await expect.poll(() => seen.at(-1)?.ballots, { timeout: 5000 }).toBe(1);
    expect(seen.at(-1)!.results!.winners).toEqual(["red"]);

    // A burst is coalesced: fewer updates than ballots, and the last one has them all.
    const before = seen.length;
    await Promise.all(voters.slice(1).map((v) => b.as(v).castBallot({ ...ids, ballot: { choice: { case: "optionId", value: "blue" } } })));
    await expect.poll(() => seen.at(-1)?.ballots, { timeout: 5000 }).toBe(5);
    expect(seen.length - before).toBeLessThan(4);
    expect(seen.at(-1)!.results!.winners).toEqual(["blue"]);
    // Replica A's own cache follows replica B's writes.
    expect((await a.as().getResults(ids)).results!.ballots).toBe(5);

    await b.as(admin).closePoll(ids);
    await watching;
    expect(seen.at(-1)).toMatchObject({ state: PollState.CLOSED });
    expect(seen.at(-1)!.results!.final).toBe(true);
  });
});
