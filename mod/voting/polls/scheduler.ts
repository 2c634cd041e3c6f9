// Opens scheduled polls at opens_at and closes open polls at closes_at. Every replica runs it; each due poll
// is taken with FOR UPDATE SKIP LOCKED in its own transaction, so exactly one replica acts on it and a slow
// poll never blocks the others.
//
// Eligibility at a scheduled open: the snapshot needs the directory. In one binary the directory is read
// directly and the snapshot is taken at opens_at. In two binaries the directory acts with a caller's bearer and
// the scheduler has none: the poll opens at opens_at without a snapshot, and the snapshot is taken by the first
// authenticated call on it afterwards (GetPoll, CastBallot, GetMyBallot, GetResults, WatchPoll, ClosePoll) with
// that caller's bearer (the member list is the same whoever reads it). A scheduled close waits for a snapshot.
import type { Logger } from "pino";
import type { Database, EntityManager } from "../../../sys/core/db.js";
import { reasonOf } from "../../../sys/core/errors.js";
import type { DirectoryPort } from "../../../sys/core/ports/directory-port.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { PollEntity } from "../entities.js";
import { closeLocked, loadPoll, openLocked } from "./store.js";

// Actor recorded in the activity log for scheduled transitions.
export const SCHEDULER_ACTOR = "00000000-0000-0000-0000-000000000000";

export interface Scheduler {
  /** Handles every poll due now; returns how many changed state. */
  tick(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

export function createScheduler(opts: { db: Database; directory: DirectoryPort; logger: Logger; intervalMs?: number; onChange?: (pollId: string) => void }): Scheduler {
  const { db, directory, logger } = opts;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const one = async (now: Date, skip: string[]): Promise<{ id?: string; changed: boolean }> =>
    db.em().transactional(async (txem) => {
      const tx = txem as EntityManager;
      const [due] = await query<{ id: string; community_id: string; state: string }>(tx,
        `select id, community_id, state from ${tableOf(tx, PollEntity)}
         where ((state = 'scheduled' and opens_at <= ?) or (state = 'open' and closes_at <= ?))
         ${skip.length ? `and id not in (${skip.map(() => "?").join(", ")})` : ""}
         order by coalesce(closes_at, opens_at) limit 1 for update skip locked`,
        [now, now, ...skip]);
      if (!due) return { changed: false };
      const row = await loadPoll(tx, due.community_id, due.id);
      if (row.state === "scheduled") await openLocked(tx, row, SCHEDULER_ACTOR, now, { directory, required: false });
      else await closeLocked(tx, row, SCHEDULER_ACTOR, now, { directory, required: false });
      return { id: row.id, changed: true };
    });

  const tick = async (now = new Date()): Promise<number> => {
    const skip: string[] = [];
    let changed = 0;
    for (let i = 0; i < 100 && !stopped; i++) {
      try {
        const r = await one(now, skip);
        if (!r.id) break;
        changed++;
        opts.onChange?.(r.id);
      } catch (error) {
        // A poll that cannot move now (e.g. a close waiting for its snapshot) is retried on the next tick.
        const id = (error as { pollId?: string }).pollId;
        if (reasonOf(error) !== "ELIGIBILITY_PENDING") logger.warn({ err: error }, "voting scheduler: poll transition failed");
        if (!id) {
          // Find which poll failed: the first due one not yet skipped.
          const [due] = await query<{ id: string }>(db.em(),
            `select id from ${tableOf(db.em(), PollEntity)} where ((state = 'scheduled' and opens_at <= ?) or (state = 'open' and closes_at <= ?))
             ${skip.length ? `and id not in (${skip.map(() => "?").join(", ")})` : ""} order by coalesce(closes_at, opens_at) limit 1`, [now, now, ...skip]);
          if (!due) break;
          skip.push(due.id);
        }
      }
    }
    return changed;
  };

  const timer = setInterval(() => {
    running = running.then(() => tick()).catch((error) => logger.warn({ err: error }, "voting scheduler tick failed"));
  }, opts.intervalMs ?? 1000);
  timer.unref();

  return {
    tick: (now) => {
      const next = running.then(() => tick(now));
      running = next.catch(() => {});
      return next;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
