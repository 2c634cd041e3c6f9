// The message row as the sender and the RPC handlers read it (the sender's writes are in batch-writes.ts).
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { RecipientRef } from "../contacts/recipients.js";
import { MessageEntity } from "../messages/entities.js";

export interface MessageRow {
  id: string;
  org_id: string;
  direction: number;
  state: number;
  contact_id: string | null;
  recipient_community_id: string | null;
  recipient_account_id: string | null;
  category: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  template_id: string | null;
  language: string | null;
  send_at: Date;
  idempotency_key: string | null;
  reply_to_message_id: string | null;
  blast_id: string | null;
  provider_id: string | null;
  provider_message_id: string | null;
  channel: number | null;
  address: string | null;
  round: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function readMessage(em: EntityManager, id: string, options: { lock?: boolean; orgId?: string } = {}): Promise<MessageRow | undefined> {
  const params: unknown[] = [id];
  if (options.orgId) params.push(options.orgId);
  const [row] = await query<MessageRow>(
    em,
    `select * from ${tableOf(em, MessageEntity)} where "id" = ?${options.orgId ? ` and "org_id" = ?` : ""}${options.lock ? " for update" : ""}`,
    params,
  );
  return row && { ...row, send_at: new Date(row.send_at), created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}

export function refOf(row: MessageRow): RecipientRef {
  if (row.contact_id) return { contactId: row.contact_id };
  if (row.recipient_community_id && row.recipient_account_id) return { member: { communityId: row.recipient_community_id, accountId: row.recipient_account_id } };
  return {};
}

/** The rows of `ids` that exist, in one query (a sender's batch). */
export async function readMessages(em: EntityManager, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  const rows = await query<MessageRow>(em, `select * from ${tableOf(em, MessageEntity)} where "id" in (?)`, [ids]);
  return rows.map((row) => ({ ...row, send_at: new Date(row.send_at), created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) }));
}
