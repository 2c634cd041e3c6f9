// Moves a process by what a plugin hook reported, inside the caller's transaction with the row locked: the new
// state, its activity-log entry and its callback delivery commit together or not at all. A final process never
// moves again, so a late webhook or a second replica's stale answer is a no-op.
import { isDeepStrictEqual } from "node:util";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import { recordActivity } from "../activity.js";
import type { GovernanceDeps } from "../deps.js";
import { enqueueDeliveries } from "../deliveries/queue.js";
import { ProcessEntity } from "../entities.js";
import type { JsonObject, ProcessUpdate } from "../sdk/define-plugin.js";
import { FINAL, processRecord, type ProcessRow, type ProcessStatusName } from "./store.js";

export async function lockProcess(tx: EntityManager, processId: string): Promise<ProcessRow | null> {
  return tx.findOne(ProcessEntity, { id: processId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** Applies `update` to the locked row; returns whether anything a driver sees changed. */
export async function applyProcessUpdate(tx: EntityManager, deps: GovernanceDeps, row: ProcessRow, update: ProcessUpdate | void, options: { actorId: string; now?: Date; forceStatus?: ProcessStatusName } = { actorId: "" }): Promise<boolean> {
  if (FINAL.has(row.status)) return false;
  const now = options.now ?? new Date();
  const before = { status: row.status, outcome: row.outcome };
  let status: ProcessStatusName = options.forceStatus ?? update?.status ?? (row.status === "created" ? "pending" : (row.status as ProcessStatusName));
  let outcome = (update?.outcome ?? row.outcome) as JsonObject;
  let errors = (update?.errors ?? row.errors) as JsonObject;
  const plugin = deps.registry.plugin(row.plugin);
  const definition = deps.registry.process(plugin, row.slug);
  if (update?.outcome) {
    try {
      outcome = deps.registry.check(definition.outcome, update.outcome, "outcome");
    } catch (error) {
      // A plugin that breaks its own outcome schema fails the process rather than mislead the driver.
      deps.logger.error({ err: error, process: row.id }, "governance plugin reported an outcome outside its schema");
      status = "failed";
      errors = { ...errors, outcome: (error as Error).message };
      outcome = row.outcome as JsonObject;
    }
  }
  const interval = deps.config.governanceSweepIntervalSeconds * 1000;
  const asked = update?.nextUpdateAt?.getTime();
  row.status = status;
  row.outcome = outcome;
  row.errors = errors;
  if (update?.data) row.data = update.data;
  row.nextUpdateAt = FINAL.has(status) ? null : new Date(Math.min(asked ?? Infinity, now.getTime() + interval));
  row.updatedAt = now;
  const outcomeChanged = !isDeepStrictEqual(before.outcome, outcome);
  const statusChanged = before.status !== status;
  await tx.flush();
  if (!statusChanged && !outcomeChanged) return false;
  if (row.callbackUrl && (outcomeChanged || FINAL.has(status))) {
    await enqueueDeliveries(tx, [{ communityId: row.communityId, kind: "callback", url: row.callbackUrl, processId: row.id, body: processRecord(row) }], now);
  }
  await recordActivity(tx, row.communityId, options.actorId, [
    { kind: "governance_process_changed", payload: { process_id: row.id, process: `${row.plugin}.${row.slug}`, status, outcome_changed: outcomeChanged } },
  ]);
  return true;
}
