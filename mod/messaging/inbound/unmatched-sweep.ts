// A delivery receipt can arrive before the sender has committed the provider's message id (the provider answers
// the send and calls back at once). Such receipts are kept as "unmatched" and retried here, on the worker tier,
// for an hour after they arrived. The same loop forgets inbox rows once no provider would redeliver them.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { findByProviderMessageId, transition } from "../messages/store.js";
import type { InboundEvent } from "../services/sdk/define-provider.js";
import { InboundEventEntity } from "./entities.js";
import { RECEIPT_STATES } from "./keywords.js";

const SWEEP_EVERY_MS = 5_000;
const RETRY_FOR_MS = 60 * 60 * 1000;
const BATCH = 100;
/** Providers redeliver within hours (Twilio: up to a day); a month is far past any redelivery. */
export const KEEP_INBOUND_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_SWEEPS = 120;

interface Unmatched {
  id: string;
  org_id: string;
  provider_id: string;
  event: InboundEvent;
}

/** Retries the unmatched receipts due; returns how many now matched. */
export async function sweepUnmatchedReceipts(deps: MessagingDeps, now = new Date()): Promise<number> {
  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const table = tableOf(tx, InboundEventEntity);
    const rows = await query<Unmatched>(tx,
      `select id, org_id, provider_id, event from ${table} where outcome = 'unmatched' and received_at > ? order by received_at limit ${BATCH} for update skip locked`,
      [new Date(now.getTime() - RETRY_FOR_MS)]);
    let matched = 0;
    for (const row of rows) {
      const event = typeof row.event === "string" ? (JSON.parse(row.event) as InboundEvent) : row.event;
      if (event.kind !== "status") continue;
      const message = await findByProviderMessageId(tx, row.provider_id, event.providerMessageId);
      if (!message || message.orgId !== row.org_id) continue;
      await transition(deps, tx, message.id, RECEIPT_STATES[event.state], { providerId: row.provider_id, reason: event.reason });
      await query(tx, `update ${table} set outcome = 'applied', message_id = ? where id = ?`, [message.id, row.id]);
      matched++;
    }
    return matched;
  });
}

/** Deletes up to `limit` inbox rows older than KEEP_INBOUND_MS; returns how many. */
export async function pruneInboundEvents(deps: MessagingDeps, now = new Date(), limit = 5000): Promise<number> {
  const em = deps.db.em();
  const table = tableOf(em, InboundEventEntity);
  const rows = await query<{ id: string }>(em,
    `delete from ${table} where id in (select id from ${table} where received_at < ? limit ${limit}) returning id`, [new Date(now.getTime() - KEEP_INBOUND_MS)]);
  return rows.length;
}

export function startUnmatchedSweep(deps: MessagingDeps): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  let sweeps = 0;
  const timer = setInterval(() => {
    if (running) return; // the last one is still at work: never two at once
    const prune = sweeps++ % PRUNE_EVERY_SWEEPS === 0;
    running = sweepUnmatchedReceipts(deps)
      .then(() => (prune ? pruneInboundEvents(deps) : 0))
      .catch((error: unknown) => deps.logger.warn({ err: error }, "inbound sweep failed"))
      .finally(() => (running = undefined));
  }, SWEEP_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
