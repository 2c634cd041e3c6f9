// TEMPORARY shim until the messages store lands (mod/messaging/messages/store.ts): same signature as the contract.
import type { EntityManager } from "../../../sys/core/db.js";
import { query } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import type { RecipientRef } from "../contacts/recipients.js";

export interface MessageDraft { orgId: string; recipient: RecipientRef; category?: string; subject?: string;
  text: string; html?: string; templateId?: string; language?: string; sendAt?: Date; idempotencyKey?: string }

export async function createOutgoingMessages(_deps: MessagingDeps, em: EntityManager, drafts: MessageDraft[]): Promise<string[]> {
  await query(em, `create table if not exists "mod"."messaging_messages" (id uuid primary key, org_id uuid, recipient_community_id uuid, recipient_account_id uuid, category text, subject text, text text, idempotency_key text unique, created_at timestamptz default clock_timestamp())`);
  const ids: string[] = [];
  for (const d of drafts) {
    const id = crypto.randomUUID();
    await query(em, `insert into "mod"."messaging_messages" (id, org_id, recipient_community_id, recipient_account_id, category, subject, text, idempotency_key) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, d.orgId, d.recipient.member?.communityId, d.recipient.member?.accountId, d.category ?? null, d.subject ?? null, d.text, d.idempotencyKey]);
    ids.push(id);
  }
  return ids;
}
