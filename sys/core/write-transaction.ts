// Every read-then-write of the sys tier runs here, so two callers changing the same row at once each get a
// well-defined answer. Handlers lock the rows they are about to change (FOR_UPDATE), which queues concurrent
// writers one after the other, each seeing the row as the previous one left it: idempotent changes (disable,
// enable, set a role) then simply succeed, and an etag check sees the committed version. What locking cannot
// prevent — a deadlock, a serialization failure, a version bumped by a writer that did not lock — rolls the
// whole transaction back and runs it again on a fresh EntityManager, a bounded number of times; after that the
// caller gets ABORTED / CONCURRENT_MODIFICATION (retryable), never INTERNAL.
import { setTimeout as sleep } from "node:timers/promises";
import { LockMode } from "@mikro-orm/core";
import type { Database, EntityManager } from "./db.js";
import { aborted } from "./errors.js";

/** Find options that lock the row for the rest of the transaction (SELECT … FOR UPDATE). */
export const FOR_UPDATE = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;

export const WRITE_ATTEMPTS = 5;

export const concurrentModification = () =>
  aborted("CONCURRENT_MODIFICATION", "the resource was changed by a concurrent request; retry");

/** A transaction that lost to a concurrent one and may simply run again from the start. */
export function isWriteConflict(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  // 40001 serialization_failure, 40P01 deadlock_detected (MikroORM maps both to DeadlockException).
  return e?.name === "OptimisticLockError" || e?.name === "DeadlockException" || e?.code === "40001" || e?.code === "40P01";
}

/**
 * Runs `work` in a new transaction, again from the start when it loses to a concurrent writer. `work` must read
 * what it decides on inside the transaction (through `tx`), since a retry has to decide afresh; and it is
 * called at a handler's top level, never inside another transaction, which a retry could not restart.
 */
export async function writeTransaction<T>(db: Database, work: (tx: EntityManager) => Promise<T>, attempts = WRITE_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.em().transactional((tx) => work(tx as EntityManager));
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      if (attempt >= attempts) throw concurrentModification();
      // A little jitter so the losers of one race do not meet again at once.
      await sleep(Math.random() * 10 * attempt);
    }
  }
}
