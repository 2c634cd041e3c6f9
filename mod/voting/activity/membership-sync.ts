// Copies sys's membership events into the community's log as membership_changed entries. The cursor (the last
// sys sequence copied) lives on the head row and moves in the same transaction as the entries, and events are
// re-checked against it under the head lock, so concurrent syncs on several replicas copy each event once.
import type { Logger } from "pino";
import type { Database } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import type { DirectoryPort } from "../../../sys/core/ports/directory-port.js";
import { activityChannel, appendLocked, lockHead } from "./append.js";
import { ActivityHead } from "./entities.js";
import { query, tableOf } from "../../../sys/core/sql.js";

const BATCH = 500;

export interface SyncDeps {
  db: Database;
  directory: DirectoryPort;
}

/** Copies every new membership event of the community; returns how many were copied. */
export async function syncMembership(deps: SyncDeps, communityId: string, bearer?: string): Promise<number> {
  let copied = 0;
  for (;;) {
    const em = deps.db.em();
    const [head] = await query<{ membership_cursor: string | number }>(em,
      `select membership_cursor from ${tableOf(em, ActivityHead)} where community_id = ?`, [communityId]);
    const events = await deps.directory.membershipEvents(communityId, Number(head?.membership_cursor ?? 0), BATCH, bearer);
    if (events.length === 0) return copied;
    copied += await em.transactional(async (tx) => {
      let locked = await lockHead(tx, communityId);
      let n = 0;
      for (const e of events) {
        if (e.sequence <= locked.membershipCursor) continue; // another replica copied it meanwhile
        locked = await appendLocked(tx, locked, {
          communityId,
          kind: "membership_changed",
          actorId: e.actorId,
          payload: { sys_sequence: e.sequence, change: e.kind, account_id: e.accountId, role: e.role, at: e.time.toISOString() },
        });
        locked.membershipCursor = e.sequence;
        n++;
      }
      if (n > 0) {
        await query(tx, `update ${tableOf(tx, ActivityHead)} set membership_cursor = ? where community_id = ?`, [locked.membershipCursor, communityId]);
        await publishInTransaction(tx, activityChannel(communityId), String(locked.sequence));
      }
      return n;
    });
    if (events.length < BATCH) return copied;
  }
}

/** Syncs before answering a read; a failing sys must not take the log down, so errors are only logged. */
export async function syncQuietly(deps: SyncDeps & { logger: Logger }, communityId: string, bearer?: string): Promise<void> {
  try {
    await syncMembership(deps, communityId, bearer);
  } catch (err) {
    deps.logger.warn({ err, communityId }, "membership sync failed");
  }
}

/** The module's background loop: syncs every community that has a log. Returns a stop function. */
export function startMembershipSync(deps: SyncDeps & { logger: Logger }, intervalMs = 5_000): () => Promise<void> {
  let stopped = false;
  let busy = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const em = deps.db.em();
    const rows = await query<{ community_id: string }>(em, `select community_id from ${tableOf(em, ActivityHead)}`);
    for (const r of rows) {
      if (stopped) return;
      await syncQuietly(deps, r.community_id);
    }
  };
  const timer = setInterval(() => {
    if (busy) return; // a slow round is still going: skip rather than pile up
    busy = true;
    running = tick().catch((err) => deps.logger.warn({ err }, "membership sync loop failed")).finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
