// Group commit for CastBallot. Every cast appends to its community's hash chain under the head-row lock, held
// until commit, and a commit waits for the WAL flush: one cast per transaction caps a community at a few hundred
// casts a second, however many replicas. So the casts of one community that arrive while its previous batch is
// committing wait and then go together in ONE transaction: per-cast checks with set queries, the ballots
// upserted, the head locked last, one entry per changed ballot appended in arrival order, one commit.
// What each caller gets is unchanged: its ballot and its log entry commit together or not at all, and it is
// answered only after the commit. A cast that fails a check (poll closed, not eligible, bad ballot) is dropped
// from the batch before anything is written and gets its own error; a failed commit fails the whole batch,
// having written nothing. Two casts by one voter on one poll never share a batch, so the later one wins.
import { LockMode } from "@mikro-orm/core";
import type { Ballot } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { Database, EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { appendMany } from "../activity/append.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { choiceLoggedWhileOpen } from "./privacy.js";
import { validChoice } from "./rules.js";
import { canonical } from "./codec.js";
import type { ActivityInput } from "../contracts.js";
import { BallotEntity, type ChoiceJson, EligibleVoterEntity, PollEntity, type PollRow } from "../entities.js";
import { notifyPollChanged } from "../polls/store.js";

export interface Cast {
  communityId: string;
  pollId: string;
  voterId: string;
  ballot: Ballot;
}

/** "snapshot": the poll is open but its eligibility snapshot was deferred; take it and cast again. */
export type CastOutcome = { changed: boolean; castAt: Date } | "snapshot";

export interface CastQueue {
  cast(cast: Cast): Promise<CastOutcome>;
}

interface Pending {
  cast: Cast;
  resolve(outcome: CastOutcome): void;
  reject(error: unknown): void;
}

// Bounds one transaction's size (and its statements' parameter count: 9 per log entry).
const MAX_BATCH = 500;

/** `committed` hears of every ballot cast or changed, once its batch has committed (metrics). */
export function createCastQueue(db: Database, committed?: (poll: { method: string; secrecy: string }) => void): CastQueue {
  // Per community: casts waiting for the batch in flight to commit. Present while a batch runs.
  const waiting = new Map<string, Pending[]>();

  const run = async (communityId: string): Promise<void> => {
    for (;;) {
      const queue = waiting.get(communityId)!;
      if (queue.length === 0) {
        waiting.delete(communityId);
        return;
      }
      const batch = takeBatch(queue);
      try {
        const changed: PollRow[] = [];
        const outcomes = await withDeadlockRetry(() => {
          changed.length = 0; // a retried transaction starts over
          return db.em().transactional((tx) => castBatch(tx as EntityManager, communityId, batch.map((p) => p.cast), changed));
        });
        batch.forEach((p, i) => (outcomes[i] instanceof Error ? p.reject(outcomes[i]) : p.resolve(outcomes[i] as CastOutcome)));
        if (committed) for (const poll of changed) committed(poll);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  };

  return {
    cast(cast) {
      return new Promise<CastOutcome>((resolve, reject) => {
        const queue = waiting.get(cast.communityId);
        if (queue) return void queue.push({ cast, resolve, reject });
        waiting.set(cast.communityId, [{ cast, resolve, reject }]);
        // Start on the next turn, so the casts that arrived in this one share the first batch.
        setImmediate(() => void run(cast.communityId));
      });
    },
  };
}

/** Takes up to MAX_BATCH casts off the queue, at most one per poll and voter (the others stay, in order). */
function takeBatch(queue: Pending[]): Pending[] {
  const keys = new Set<string>();
  const batch: Pending[] = [];
  const rest: Pending[] = [];
  for (const p of queue) {
    const key = `${p.cast.pollId}\n${p.cast.voterId}`;
    if (batch.length < MAX_BATCH && !keys.has(key)) {
      keys.add(key);
      batch.push(p);
    } else rest.push(p);
  }
  queue.splice(0, queue.length, ...rest);
  return batch;
}

async function withDeadlockRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // Another replica's batch may lock the same ballot rows in the other order; PostgreSQL aborts one of the two.
      if ((error as { code?: string }).code !== "40P01" || attempt >= 3) throw error;
    }
  }
}

/** One transaction for many casts of one community; returns, per cast, its outcome or its own error. */
async function castBatch(tx: EntityManager, communityId: string, casts: Cast[], changed: PollRow[]): Promise<Array<CastOutcome | Error>> {
  const outcomes: Array<CastOutcome | Error | undefined> = casts.map(() => undefined);
  // A shared lock on each poll: ballots go in concurrently, but never after ClosePoll (which locks it exclusively).
  const pollIds = [...new Set(casts.map((c) => c.pollId))].sort();
  const polls = new Map((await tx.find(PollEntity, { id: { $in: pollIds }, communityId }, { lockMode: LockMode.PESSIMISTIC_READ, orderBy: { id: "asc" } })).map((p) => [p.id, p]));
  casts.forEach((c, i) => {
    const poll = polls.get(c.pollId);
    if (!poll) outcomes[i] = notFound("poll", c.pollId);
    else if (poll.state !== "open") outcomes[i] = failedPrecondition("POLL_NOT_OPEN", `poll ${c.pollId} is ${poll.state}`);
    else if (!poll.snapshotAt) outcomes[i] = "snapshot";
  });

  const keysOf = (pick: (c: Cast, i: number) => boolean) => JSON.stringify(casts.filter(pick).map((c) => ({ poll_id: c.pollId, voter_id: c.voterId })));
  const eligible = new Set((await query<{ poll_id: string; account_id: string }>(tx,
    `select e.poll_id, e.account_id from ${tableOf(tx, EligibleVoterEntity)} e
     join json_to_recordset(?::json) as k(poll_id uuid, voter_id uuid) on e.poll_id = k.poll_id and e.account_id = k.voter_id`,
    [keysOf((_, i) => outcomes[i] === undefined)])).map((r) => `${r.poll_id}\n${r.account_id}`));
  const choices = casts.map((c, i) => {
    if (outcomes[i] !== undefined) return undefined;
    if (!eligible.has(`${c.pollId}\n${c.voterId}`)) {
      outcomes[i] = failedPrecondition("NOT_ELIGIBLE", polls.get(c.pollId)!.eligibilitySnapshot === "at_close"
        ? `you do not hold an eligible role in poll ${c.pollId}`
        : `you were not eligible in poll ${c.pollId} when it opened`);
      return undefined;
    }
    try {
      return validChoice(polls.get(c.pollId)!, c.ballot);
    } catch (error) {
      outcomes[i] = error as Error;
      return undefined;
    }
  });

  // The current ballots, locked in key order (so two batches never wait on each other in a cycle).
  const ballots = tableOf(tx, BallotEntity);
  const existing = new Map((await query<{ poll_id: string; voter_id: string; choice: ChoiceJson | string; cast_at: Date | string }>(tx,
    `select b.poll_id, b.voter_id, b.choice, b.cast_at from ${ballots} b
     join json_to_recordset(?::json) as k(poll_id uuid, voter_id uuid) on b.poll_id = k.poll_id and b.voter_id = k.voter_id
     order by b.poll_id, b.voter_id for update of b`,
    [keysOf((_, i) => choices[i] !== undefined)])).map((r) => [`${r.poll_id}\n${r.voter_id}`, r]));

  const now = new Date();
  const upserts: Array<{ poll_id: string; voter_id: string; choice: ChoiceJson }> = [];
  const entries: ActivityInput[] = [];
  casts.forEach((c, i) => {
    const choice = choices[i];
    if (!choice) return;
    const before = existing.get(`${c.pollId}\n${c.voterId}`);
    const stored = before && (typeof before.choice === "string" ? JSON.parse(before.choice) : before.choice);
    if (before && canonical(stored) === canonical(choice)) {
      outcomes[i] = { changed: false, castAt: new Date(before.cast_at) };
      return;
    }
    upserts.push({ poll_id: c.pollId, voter_id: c.voterId, choice });
    // The log is as public as the community: a choice goes in only where everyone may see it now; hidden public
    // choices are revealed at close, secret ones never (ballots/privacy.ts).
    const payload: Record<string, unknown> = { voter_id: c.voterId };
    if (choiceLoggedWhileOpen(polls.get(c.pollId)!)) payload.choice = choice;
    entries.push({ communityId, kind: before ? "ballot_changed" : "ballot_cast", actorId: c.voterId, pollId: c.pollId, payload });
    outcomes[i] = { changed: true, castAt: now };
    changed.push(polls.get(c.pollId)!);
  });
  if (upserts.length > 0) {
    await query(tx,
      `insert into ${ballots} (poll_id, voter_id, choice, cast_at, updated_at)
       select k.poll_id, k.voter_id, k.choice, ?, ? from json_to_recordset(?::json) as k(poll_id uuid, voter_id uuid, choice jsonb) order by k.poll_id, k.voter_id
       on conflict (poll_id, voter_id) do update set choice = excluded.choice, cast_at = excluded.cast_at, updated_at = excluded.updated_at`,
      [now, now, JSON.stringify(upserts)]);
    // Delivered at commit whatever their place in the transaction: sent before the head is locked.
    await notifyPollChanged(tx, [...new Set(upserts.map((u) => u.poll_id))], "ballot");
    // Last: the head-row lock is held from here to the commit.
    await appendMany(tx, entries, now);
  }
  return outcomes as Array<CastOutcome | Error>;
}
