// Retention: finished rows do not pile up forever. A processed webhook is kept 14 days (a platform's redelivery
// within that time is still recognised and skipped); a delivered or failed delivery 30 days (what admins list
// and replay). Pending rows are never pruned.
import { query, tableOf } from "../../../sys/core/sql.js";
import type { GovernanceDeps } from "../deps.js";
import { DeliveryEntity, InboxEntity } from "../entities.js";

const DAY = 24 * 60 * 60 * 1000;
export const INBOX_RETENTION_MS = 14 * DAY;
export const DELIVERY_RETENTION_MS = 30 * DAY;

export async function pruneFinished(deps: GovernanceDeps, now = new Date()): Promise<number> {
  const em = deps.db.em();
  const inbox = await query<{ id: string }>(em, `delete from ${tableOf(em, InboxEntity)} where status <> 'pending' and received_at < ? returning id`, [new Date(now.getTime() - INBOX_RETENTION_MS)]);
  const deliveries = await query<{ id: string }>(em, `delete from ${tableOf(em, DeliveryEntity)} where status <> 'pending' and updated_at < ? returning id`, [new Date(now.getTime() - DELIVERY_RETENTION_MS)]);
  return inbox.length + deliveries.length;
}
