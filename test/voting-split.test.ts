// Voting in two binaries with two mod replicas: `polityd --tiers sys` and two `polityd --tiers mod --sys-url`
// sharing one mod PostgreSQL database. Every vote goes to replica B; watchers on replica A (WatchPoll and
// WatchActivity) see each of them; after close the published tally equals a recount of the stored ballots,
// and no vote is lost or doubled.
import type { Client } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tally, tallyBallot, tallyConfigFor } from "@polity/tally";
import { CommunityService } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ActivityKind, BallotSecrecy, PollState, ResultVisibility, VotingMethod, VotingService, type WatchPollResponse } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ChoiceJson } from "../mod/voting/entities.js";
import { clientFor } from "./support/clients.js";
import { createOpenCommunity } from "./support/communities.js";
import { type Person, signIn, signUpVerified } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const VOTERS = 24;
const OPTIONS = ["a", "b", "c", "d"];

/** Resolves when `check` holds, polling every 20 ms; fails after `ms`. */
async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("two binaries, two mod replicas: votes on one replica, watchers on the other", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, modA: TestServer, modB: TestServer;
  let admin: Person;
  const voters: Person[] = [];
  let communityId = "";

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("vsplit_sys"), createTestDatabase("vsplit_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    [modA, modB] = await Promise.all([0, 1].map(() => startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url })));
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    ({ communityId } = await createOpenCommunity(sys.url, admin.token, { orgSlug: "split-vote", slug: "river-board", name: "River board" }));
    for (let i = 0; i < VOTERS; i++) {
      const person = await signUpVerified(sys.url, sys.logs, `voter${i}@example.org`);
      await clientFor(CommunityService, sys.url, person.token).joinCommunity({ communityId });
      voters.push(person);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([modA?.stop(), modB?.stop()]);
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("streams every vote cast on B to watchers on A, and the published tally matches the stored ballots", async () => {
    const onA = (p: Person): Client<typeof VotingService> => clientFor(VotingService, modA.url, p.token);
    const onB = (p: Person): Client<typeof VotingService> => clientFor(VotingService, modB.url, p.token);
    const { poll } = await onA(admin).createPoll({ poll: {
      communityId, title: "Which bank do we restore first?", method: VotingMethod.RANKED_IRV, secrecy: BallotSecrecy.PUBLIC,
      resultVisibility: ResultVisibility.LIVE, options: OPTIONS.map((id) => ({ id, label: id.toUpperCase() })),
    } });
    const pollId = poll!.id;
    const { headSequence } = await onA(admin).listActivity({ communityId, pageSize: 1 });
    await onA(admin).openPoll({ communityId, pollId });

    // Watchers on A.
    const abort = new AbortController();
    const updates: WatchPollResponse[] = [];
    const castSeen = new Set<string>();
    const watchPoll = (async () => {
      for await (const u of onA(admin).watchPoll({ communityId, pollId }, { signal: abort.signal })) updates.push(u);
    })();
    const watchActivity = (async () => {
      for await (const { entry } of onA(admin).watchActivity({ communityId, afterSequence: headSequence }, { signal: abort.signal })) {
        if (entry?.pollId === pollId && (entry.kind === ActivityKind.BALLOT_CAST || entry.kind === ActivityKind.BALLOT_CHANGED)) castSeen.add(entry.actorId);
      }
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) throw error;
    });
    await until(() => updates.length > 0, 10_000, () => "the first WatchPoll message");
    const lastBallots = () => updates.at(-1)?.ballots ?? -1;

    // One by one first: A hears of each ballot taken on B.
    const ranking = (i: number) => [0, 1, 2, 3].map((k) => OPTIONS[(i * 7 + k * (i % 3 === 0 ? 3 : 1)) % 4]);
    const cast = (i: number) => onB(voters[i]).castBallot({
      communityId, pollId, ballot: { choice: { case: "ranking", value: { ranks: [...new Set(ranking(i))].map((id) => ({ optionIds: [id] })) } } },
    });
    for (let i = 0; i < 4; i++) {
      await cast(i);
      await until(() => lastBallots() === i + 1 && castSeen.has(voters[i].accountId), 10_000, () => `ballot ${i + 1} on A (at ${lastBallots()})`);
    }
    // Then all at once, some voters casting twice (the same ballot: idempotent).
    await Promise.all(Array.from({ length: VOTERS - 4 }, (_, k) => cast(k + 4)));
    await Promise.all([cast(5), cast(6)]);
    await until(() => lastBallots() === VOTERS && castSeen.size === VOTERS, 15_000, () => `all ${VOTERS} ballots on A (at ${lastBallots()}, ${castSeen.size} in the log)`);
    expect(updates.at(-1)!.results?.ballots).toBe(VOTERS); // live results, computed on A

    const { results } = await onB(admin).closePoll({ communityId, pollId });
    await until(() => updates.at(-1)?.state === PollState.CLOSED, 10_000, () => "the final result on A");
    await watchPoll; // the stream ends with the final result
    abort.abort();
    await watchActivity;
    expect(updates.at(-1)!.results?.resultHash).toBe(results!.resultHash);

    // The stored ballots, recounted with the same engine: same winners, same last-round tallies, one per voter.
    const client = new pg.Client({ connectionString: modDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ voter_id: string; choice: ChoiceJson }>("select voter_id, choice from mod.ballots where poll_id = $1", [pollId]);
      expect(rows).toHaveLength(VOTERS);
      expect(new Set(rows.map((r) => r.voter_id))).toEqual(new Set(voters.map((v) => v.accountId)));
      const recount = tally("irv", rows.map((r) => tallyBallot("irv", r.choice, 1)!), tallyConfigFor({
        id: pollId, method: "irv", optionIds: OPTIONS, seats: 1, minSelections: 0, maxSelections: 0, maxScore: 0, passThresholdPercent: 0, tieBreakSeed: "",
      }));
      expect(results!.ballots).toBe(VOTERS);
      expect(results!.countedWeight).toBe(VOTERS);
      expect(results!.winners).toEqual(recount.winners);
      const lastRound = recount.rounds.at(-1)!.tallies;
      expect(Object.fromEntries(results!.rounds.at(-1)!.tallies.map((t) => [t.optionId, t.votes]))).toEqual(lastRound);
      const [{ n }] = (await client.query<{ n: string }>("select count(*) as n from mod.activity_entries where poll_id = $1 and kind = 'ballot_cast'", [pollId])).rows;
      expect(Number(n)).toBe(VOTERS); // the repeated casts changed nothing and logged nothing
    } finally {
      await client.end();
    }
  }, 120_000);
});
