// The reads behind GetMessage, ListMessages, ListFailedMessages and WatchMessages.
import type { MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import type { Cursor } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { MessageRow } from "../delivery/message-row.js";
import { MessageEntity, MessageHistoryEntity } from "./entities.js";
import type { HistoryRow } from "./convert.js";

export interface MessageFilter {
  orgId: string;
  contactId?: string;
  states?: MessageState[];
  direction?: number;
  blastId?: string;
  since?: Date;
}

/** Newest first, `limit` rows strictly before the cursor in (created_at, id) order. */
export async function listMessageRows(em: EntityManager, filter: MessageFilter, before: Cursor | undefined, limit: number): Promise<MessageRow[]> {
  const where = [`"org_id" = ?`];
  const params: unknown[] = [filter.orgId];
  if (filter.contactId) where.push(`"contact_id" = ?`), params.push(filter.contactId);
  if (filter.states && filter.states.length > 0) where.push(`"state" in (${filter.states.map(() => "?").join(", ")})`), params.push(...filter.states);
  if (filter.direction) where.push(`"direction" = ?`), params.push(filter.direction);
  if (filter.blastId) where.push(`"blast_id" = ?`), params.push(filter.blastId);
  if (filter.since) where.push(`"created_at" >= ?`), params.push(filter.since);
  if (before) where.push(`("created_at", "id") < (?, ?)`), params.push(before.createdAt, before.id);
  return query<MessageRow>(em, `select * from ${tableOf(em, MessageEntity)} where ${where.join(" and ")} order by "created_at" desc, "id" desc limit ${limit}`, params);
}

export async function historyOf(em: EntityManager, messageIds: string[]): Promise<HistoryRow[]> {
  if (messageIds.length === 0) return [];
  return query<HistoryRow>(
    em,
    `select * from ${tableOf(em, MessageHistoryEntity)} where "message_id" in (${messageIds.map(() => "?").join(", ")}) order by "id"`,
    messageIds,
  );
}

export interface WatchPosition {
  txid: number;
  id: number;
}

/**
 * History rows after `after` in (txid, id) order, only from transactions older than every one still running
 * (so a transaction that commits late can never be passed over), with their message.
 */
export async function changesAfter(
  em: EntityManager,
  orgId: string,
  contactId: string | undefined,
  after: WatchPosition,
  limit: number,
): Promise<Array<HistoryRow & { message: MessageRow }>> {
  const rows = await query<HistoryRow & { m: MessageRow }>(
    em,
    `select h.*, to_jsonb(m) as m from ${tableOf(em, MessageHistoryEntity)} h join ${tableOf(em, MessageEntity)} m on m."id" = h."message_id"
     where h."org_id" = ? ${contactId ? `and h."contact_id" = ?` : ""}
       and (h."txid", h."id") > (?, ?) and h."txid" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
     order by h."txid", h."id" limit ${limit}`,
    [orgId, ...(contactId ? [contactId] : []), after.txid, after.id],
  );
  return rows.map(({ m, ...h }) => ({ ...h, message: fromJson(m) }));
}

/** Where a watch from "now" starts: past every finished transaction. */
export async function currentPosition(em: EntityManager): Promise<WatchPosition> {
  const [row] = await query<{ x: string | number }>(em, `select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as x`);
  return { txid: Number(row.x) - 1, id: Number.MAX_SAFE_INTEGER };
}

function fromJson(m: MessageRow): MessageRow {
  return { ...m, send_at: new Date(m.send_at), created_at: new Date(m.created_at), updated_at: new Date(m.updated_at) };
}
