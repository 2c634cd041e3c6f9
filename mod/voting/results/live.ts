// Live results are counted from the stored ballots and the delegations in force, which costs a full count, so
// each replica keeps them briefly: dropped at once when this replica hears of a change to the poll (from any
// replica, through the notifier), and after `ttlMs` in any case.
import type { PollResults } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { Database } from "../../../sys/core/db.js";
import type { PollRow } from "../entities.js";
import { computeResults } from "./compute.js";

export interface LiveResults {
  get(poll: PollRow): Promise<PollResults>;
  invalidate(pollId: string): void;
}

export function createLiveResults(db: Database, ttlMs = 1000): LiveResults {
  const cache = new Map<string, { version: number; expires: number; results: Promise<PollResults> }>();
  return {
    get(poll) {
      const hit = cache.get(poll.id);
      const now = Date.now();
      if (hit && hit.expires > now && hit.version === poll.version) return hit.results;
      const results = computeResults(db.em(), poll, false);
      cache.set(poll.id, { version: poll.version, expires: now + ttlMs, results });
      results.catch(() => cache.delete(poll.id));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return results;
    },
    invalidate(pollId) {
      cache.delete(pollId);
    },
  };
}
