// Queues an outgoing delivery in the caller's transaction: it exists iff the change it reports commits, and the
// worker (deliveries/sender.ts) sends it after commit, on whichever replica gets to it first.
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { WORK_CHANNEL } from "../deps.js";
import { DeliveryEntity } from "../entities.js";

export interface NewDelivery {
  communityId: string;
  kind: "callback" | "event";
  url: string;
  processId?: string;
  subscriptionId?: string;
  eventId?: string;
  body: unknown;
}

export async function enqueueDeliveries(tx: EntityManager, deliveries: NewDelivery[], now = new Date()): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const ids = deliveries.map(() => crypto.randomUUID());
  const params = deliveries.flatMap((d, i) => [ids[i], d.communityId, d.kind, d.url, d.processId ?? null, d.subscriptionId ?? null, d.eventId ?? null, JSON.stringify(d.body), now, now, now]);
  await query(tx,
    `insert into ${tableOf(tx, DeliveryEntity)} (id, community_id, kind, url, process_id, subscription_id, event_id, body, status, attempts, last_error, next_attempt_at, created_at, updated_at)
     values ${deliveries.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, '', ?, ?, ?)").join(", ")}`,
    params);
  await publishInTransaction(tx, WORK_CHANNEL, "delivery");
  return ids;
}
