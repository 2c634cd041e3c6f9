// Event producers: an enabled instance whose plugin polls its platform runs its producer every intervalSeconds,
// on one replica at a time (the instance row is claimed with a lease as long as the interval).
import type { EntityManager } from "../../../sys/core/db.js";
import type { GovernanceDeps } from "../deps.js";
import { PluginInstanceEntity } from "../entities.js";
import { appendEvents } from "../events/store.js";
import { instanceContext } from "../instance-context.js";
import type { InstanceRow } from "../instances/store.js";
import { claimDue } from "./claim.js";

export async function produceOne(deps: GovernanceDeps, now = new Date()): Promise<boolean> {
  // The shortest interval of any producer bounds the lease; the row's own interval is set after the run.
  const claimed = await claimDue<{ id: string; plugin: string }>(deps.db.em(), PluginInstanceEntity, { timeColumn: "next_produce_at", where: "enabled", leaseMs: 60_000, now });
  if (!claimed) return false;
  const instance = (await deps.db.em().findOne(PluginInstanceEntity, { id: claimed.id })) as InstanceRow;
  const producer = deps.registry.list().find((p) => p.name === claimed.plugin)?.producer;
  if (!producer) return true;
  try {
    const events = (await producer.produce(instanceContext(deps, instance))) || [];
    await deps.db.em().transactional((tx) => appendEvents(tx as EntityManager, instance, events));
  } catch (error) {
    deps.logger.warn({ err: error, instance: claimed.id }, "governance event producer failed");
  }
  await deps.db.em().nativeUpdate(PluginInstanceEntity, { id: claimed.id, enabled: true }, { nextProduceAt: new Date(Date.now() + producer.intervalSeconds * 1000) });
  return true;
}
