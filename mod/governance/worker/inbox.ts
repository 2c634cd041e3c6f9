// Processing a stored webhook: the plugin turns it into events and offers it to the instance's pending
// processes; the events, the process changes and the "processed" mark commit together, so a delivery is
// processed once even if a replica dies half-way (another takes it when the lease ends).
import type { EntityManager } from "../../../sys/core/db.js";
import { nextAttemptDelay } from "../../../sys/core/outbound/retry-schedule.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { GovernanceDeps } from "../deps.js";
import { InboxEntity, PluginInstanceEntity, ProcessEntity } from "../entities.js";
import { appendEvents } from "../events/store.js";
import { instanceContext } from "../instance-context.js";
import type { InstanceRow } from "../instances/store.js";
import { applyProcessUpdate, lockProcess } from "../processes/apply-update.js";
import { viewOf } from "../processes/store.js";
import type { Json, PluginEvent, ProcessUpdate, WebhookDelivery } from "../sdk/define-plugin.js";
import { claimDue } from "./claim.js";

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 10;

interface RawInbox {
  id: string;
  instance_id: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: Buffer | Uint8Array;
  attempts: number;
}

export async function processInboxOne(deps: GovernanceDeps, now = new Date()): Promise<boolean> {
  const claimed = await claimDue<RawInbox>(deps.db.em(), InboxEntity, { timeColumn: "next_attempt_at", where: "status = 'pending'", leaseMs: LEASE_MS, now, extraSet: "attempts = attempts + 1" });
  if (!claimed) return false;
  const table = tableOf(deps.db.em(), InboxEntity);
  try {
    const instance = (await deps.db.em().findOne(PluginInstanceEntity, { id: claimed.instance_id })) as InstanceRow | null;
    if (!instance?.enabled) {
      await query(deps.db.em(), `update ${table} set status = 'dropped', last_error = 'plugin disabled' where id = ?`, [claimed.id]);
      return true;
    }
    const plugin = deps.registry.plugin(instance.plugin);
    const rawBody = Buffer.from(claimed.body);
    const delivery: WebhookDelivery = { headers: claimed.headers, query: claimed.query, rawBody, body: parseJson(rawBody) };
    const ctx = instanceContext(deps, instance);
    const events: PluginEvent[] = (await plugin.webhook?.handle(ctx, delivery)) || [];
    const updates: Array<[string, ProcessUpdate]> = [];
    const pending = await deps.db.em().find(ProcessEntity, { instanceId: instance.id, status: { $in: ["created", "pending"] } });
    for (const process of pending) {
      const definition = plugin.processes?.[process.slug];
      const update = await definition?.receiveWebhook?.(ctx, viewOf(process), delivery);
      if (update) updates.push([process.id, update]);
    }
    await deps.db.em().transactional(async (txem) => {
      const tx = txem as EntityManager;
      const [mine] = await query<{ id: string }>(tx, `update ${table} set status = 'processed', last_error = '' where id = ? and status = 'pending' returning id`, [claimed.id]);
      if (!mine) return; // another replica finished it while this one worked: its effects stand, these are dropped
      for (const [processId, update] of updates) {
        const locked = await lockProcess(tx, processId);
        if (locked) await applyProcessUpdate(tx, deps, locked, update, { actorId: "" });
      }
      await appendEvents(tx, instance, events);
    });
  } catch (error) {
    const last = claimed.attempts >= MAX_ATTEMPTS;
    deps.logger.warn({ err: error, inbox: claimed.id, attempt: claimed.attempts }, "governance webhook processing failed");
    await query(deps.db.em(), `update ${table} set status = ?, last_error = ?, next_attempt_at = ? where id = ? and status = 'pending'`,
      [last ? "failed" : "pending", String((error as Error).message ?? error).slice(0, 2000), new Date(Date.now() + nextAttemptDelay(claimed.attempts)), claimed.id]);
  }
  return true;
}

function parseJson(raw: Buffer): Json {
  try {
    return JSON.parse(raw.toString("utf8")) as Json;
  } catch {
    return null;
  }
}
