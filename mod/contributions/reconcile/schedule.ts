// The periodic reconciliation: one row per GitHub instance says when it is next due. A replica takes a due row
// by moving its time past a lease in the statement that picks it (FOR UPDATE SKIP LOCKED), so exactly one
// replica runs an instance's reconciliation; a replica that dies mid-run leaves the row to come due again.
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, query, tableOf } from "../../../sys/core/sql.js";
import type { ContributionsDeps } from "../deps.js";
import { ReconcileRunEntity } from "../entities.js";
import { reconcileInstance } from "./reconcile.js";

const LEASE_MS = 15 * 60 * 1000;
/** Each run lists what changed since the previous one started, with this overlap for clocks and slow indexes. */
const OVERLAP_MS = 60 * 60 * 1000;

/** A row for every enabled GitHub instance, due at once when new. */
export async function syncReconcileRuns(deps: ContributionsDeps, now = new Date()): Promise<void> {
  const instances = await deps.governance().instancesOf("github");
  if (instances.length === 0) return;
  const em = deps.db.em();
  await query(em,
    `insert into ${tableOf(em, ReconcileRunEntity)} (instance_id, community_id, next_run_at, listed_since, updated_at)
     values ${instances.map(() => "(?, ?, ?, null, ?)").join(", ")} on conflict do nothing`,
    instances.flatMap((i) => [i.instanceId, i.communityId, now, now]));
}

interface RunRow {
  instance_id: string;
  community_id: string;
  listed_since: Date | string | null;
}

async function claimDueRun(em: EntityManager, now: Date): Promise<RunRow | undefined> {
  const table = tableOf(em, ReconcileRunEntity);
  const [row] = await query<RunRow>(em,
    `update ${table} set next_run_at = ?, updated_at = ?
     where instance_id = (select instance_id from ${table} where next_run_at <= ? order by next_run_at limit 1 for update skip locked)
     returning instance_id, community_id, listed_since`,
    [new Date(now.getTime() + LEASE_MS), now, now]);
  return row;
}

/** Runs one due reconciliation, if any; false when nothing was due. */
export async function reconcileOneDue(deps: ContributionsDeps, intervalSeconds: number, now = new Date()): Promise<boolean> {
  const em = deps.db.em();
  const run = await claimDueRun(em, now);
  if (!run) return false;
  const table = tableOf(em, ReconcileRunEntity);
  const stillEnabled = (await deps.governance().instancesOf("github")).some((i) => i.instanceId === run.instance_id);
  if (!stillEnabled) {
    await query(em, `delete from ${table} where instance_id = ?`, [run.instance_id]);
    return true;
  }
  const since = run.listed_since ? new Date(dateOf(run.listed_since).getTime() - OVERLAP_MS) : undefined;
  const extendLease = async () => {
    await query(em, `update ${table} set next_run_at = ? where instance_id = ?`, [new Date(Date.now() + LEASE_MS), run.instance_id]);
  };
  try {
    const counts = await reconcileInstance(deps, { communityId: run.community_id, instanceId: run.instance_id }, since, extendLease);
    deps.logger.info({ instance: run.instance_id, ...counts }, "contributions: reconciled");
    await query(em, `update ${table} set listed_since = ?, next_run_at = ?, updated_at = ? where instance_id = ?`,
      [now, new Date(Date.now() + intervalSeconds * 1000), new Date(), run.instance_id]);
  } catch (error) {
    // Left to the lease: tried again when it ends.
    deps.logger.warn({ err: error, instance: run.instance_id }, "contributions: reconciliation failed");
  }
  return true;
}
