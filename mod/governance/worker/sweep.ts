// The sweep: each pending process whose time has come is asked for news (`update`) by exactly one replica; the
// answer is applied to the locked row, and the next visit is the sweep interval later (or sooner if asked).
import type { EntityManager } from "../../../sys/core/db.js";
import type { GovernanceDeps } from "../deps.js";
import { ProcessEntity } from "../entities.js";
import { instanceContext } from "../instance-context.js";
import { loadInstance } from "../instances/store.js";
import { applyProcessUpdate, lockProcess } from "../processes/apply-update.js";
import { viewOf } from "../processes/store.js";
import type { ProcessUpdate } from "../sdk/define-plugin.js";
import { claimDue } from "./claim.js";

const LEASE_MS = 60_000;

interface RawProcess {
  id: string;
  community_id: string;
  instance_id: string;
  plugin: string;
  slug: string;
}

/** Updates one due process; false when none is due. */
export async function sweepOne(deps: GovernanceDeps, now = new Date()): Promise<boolean> {
  const claimed = await claimDue<RawProcess>(deps.db.em(), ProcessEntity, { timeColumn: "next_update_at", where: "status in ('created', 'pending')", leaseMs: LEASE_MS, now });
  if (!claimed) return false;
  const em = deps.db.em();
  const row = await em.findOne(ProcessEntity, { id: claimed.id });
  const instance = await loadInstance(em, claimed.community_id, claimed.instance_id);
  let update: ProcessUpdate | void = undefined;
  try {
    const definition = deps.registry.process(deps.registry.plugin(claimed.plugin), claimed.slug);
    update = await definition.update?.(instanceContext(deps, instance), viewOf(row!));
  } catch (error) {
    // The platform may be down for a while: the process stays pending and is asked again next interval.
    deps.logger.warn({ err: error, process: claimed.id }, "governance sweep: update failed");
  }
  await deps.db.em().transactional(async (tx) => {
    const locked = await lockProcess(tx as EntityManager, claimed.id);
    if (locked) await applyProcessUpdate(tx as EntityManager, deps, locked, update, { actorId: "", now: new Date() });
  });
  return true;
}
