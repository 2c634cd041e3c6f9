// Gives a job back to any pending or sending message that has none. The job is written in the transaction that
// creates (or reschedules) the message, so a commit never lacks one; but a job can still end without its
// message ending: pg-boss drops a job after its retry limit, or deletes queued jobs past its retention (a
// message scheduled weeks ahead). A message untouched for a while past its send time is enqueued again; the
// queue's singleton key drops the duplicate when a job is in fact waiting, and the sender's open-attempt check
// makes a duplicate that runs alongside an active job do nothing.
import { Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { MessageEntity } from "../messages/entities.js";
import { enqueueSends } from "./send-queue.js";

const SWEEP_EVERY_MS = 60_000;
const BATCH = 500;

/** Re-enqueues up to BATCH orphans idle for `idleMs`; returns how many. */
export async function sweepOrphans(deps: MessagingDeps, idleMs = 10 * 60_000): Promise<number> {
  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const before = new Date(Date.now() - idleMs);
    const rows = await query<{ id: string }>(
      tx,
      `select "id" from ${tableOf(tx, MessageEntity)} where "state" in (?, ?) and "direction" = ? and "send_at" < ? and "updated_at" < ?
       order by "send_at" limit ${BATCH} for update skip locked`,
      [MessageState.PENDING, MessageState.SENDING, Direction.OUTGOING, before, before],
    );
    if (rows.length === 0) return 0;
    await enqueueSends(deps, tx, rows.map((r) => ({ messageId: r.id })));
    // Touched, so the next sweep leaves them to their new job for another idle period.
    await query(tx, `update ${tableOf(tx, MessageEntity)} set "updated_at" = ? where "id" in (${rows.map(() => "?").join(", ")})`, [new Date(), ...rows.map((r) => r.id)]);
    return rows.length;
  });
}

export function startSendSweep(deps: MessagingDeps): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepOrphans(deps).catch((error: unknown) => deps.logger.error({ err: error }, "message sweep failed"));
  }, SWEEP_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
