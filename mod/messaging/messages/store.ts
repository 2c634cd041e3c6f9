// The messages store, shared by every messaging area: outgoing messages are created with their PENDING history
// row and their send job in the caller's transaction (so a commit always has its job and a rollback none);
// states move forward only, each move recorded with its time, provider and reason and announced to watchers.
import { Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { publishAllInTransaction, publishInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { RecipientRef } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { sendMetricsOf } from "../delivery/metrics.js";
import { enqueueSends } from "../delivery/send-queue.js";
import { ProviderEntity } from "../providers/entities.js";
import { MessageEntity, MessageHistoryEntity } from "./entities.js";
import { canMove } from "./states.js";

export interface MessageDraft {
  orgId: string;
  recipient: RecipientRef;
  category?: string;
  subject?: string;
  text: string;
  html?: string;
  templateId?: string;
  language?: string;
  sendAt?: Date;
  idempotencyKey?: string;
  replyToMessageId?: string;
  blastId?: string;
  createdBy?: string;
}

/** The notifier channel WatchMessages listens on (payload: a message id). */
export const MESSAGES_CHANNEL = (orgId: string) => `messaging:msg:${orgId}`;

const DELIVERED = new Set<MessageState>([MessageState.DELIVERED_SERVICE, MessageState.DELIVERED_USER]);

// Rows per INSERT: 24 parameters each, well under PostgreSQL's 65,535.
const CHUNK = 1000;

/**
 * Creates the drafts' messages (PENDING, with history and a send job at `sendAt`) in `em`'s open transaction.
 * A draft whose (org, idempotency key) already exists creates nothing: its id is the first message's.
 */
export async function createOutgoingMessages(deps: MessagingDeps, em: EntityManager, drafts: MessageDraft[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < drafts.length; i += CHUNK) ids.push(...(await createChunk(deps, em, drafts.slice(i, i + CHUNK))));
  return ids;
}

async function createChunk(deps: MessagingDeps, em: EntityManager, drafts: MessageDraft[]): Promise<string[]> {
  const now = new Date();
  const rows = drafts.map((d) => ({ id: crypto.randomUUID(), draft: d, sendAt: d.sendAt ?? now }));
  const inserted = await query<{ id: string }>(
    em,
    `insert into ${tableOf(em, MessageEntity)} ("id", "org_id", "direction", "state", "contact_id", "recipient_community_id",
       "recipient_account_id", "category", "subject", "text", "html", "template_id", "language", "send_at", "idempotency_key",
       "reply_to_message_id", "blast_id", "round", "created_by", "created_at", "updated_at")
     values ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)").join(", ")}
     on conflict ("org_id", "idempotency_key") do nothing returning "id"`,
    rows.flatMap(({ id, draft: d, sendAt }) => [
      id, d.orgId, Direction.OUTGOING, MessageState.PENDING, d.recipient.contactId ?? null, d.recipient.member?.communityId ?? null,
      d.recipient.member?.accountId ?? null, d.category || null, d.subject ?? null, d.text, d.html ?? null, d.templateId ?? null,
      d.language || null, sendAt, d.idempotencyKey || null, d.replyToMessageId ?? null, d.blastId ?? null, d.createdBy ?? null, now, now,
    ]),
  );
  const created = new Set(inserted.map((r) => r.id));
  const fresh = rows.filter((r) => created.has(r.id));
  if (fresh.length > 0) {
    await insertHistory(em, fresh.map((r) => ({ messageId: r.id, orgId: r.draft.orgId, contactId: r.draft.recipient.contactId, state: MessageState.PENDING, at: now })));
    await enqueueSends(deps, em, fresh.map((r) => ({ messageId: r.id, startAfter: r.sendAt })));
    const orgs = [...new Set(fresh.map((r) => r.draft.orgId))];
    await publishAllInTransaction(em, orgs.map((org) => [MESSAGES_CHANNEL(org), ""]));
  }
  const existing = await existingByKey(em, rows.filter((r) => !created.has(r.id)).map((r) => r.draft));
  return rows.map((r) => (created.has(r.id) ? r.id : (existing.get(`${r.draft.orgId}/${r.draft.idempotencyKey}`) ?? missing(r.draft))));
}

function missing(draft: MessageDraft): never {
  throw new Error(`message with idempotency key ${draft.idempotencyKey ?? "(none)"} neither created nor found`);
}

async function existingByKey(em: EntityManager, drafts: MessageDraft[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (drafts.length === 0) return found;
  const rows = await query<{ id: string; org_id: string; idempotency_key: string }>(
    em,
    `select "id", "org_id", "idempotency_key" from ${tableOf(em, MessageEntity)}
     where ("org_id", "idempotency_key") in (${drafts.map(() => "(?, ?)").join(", ")})`,
    drafts.flatMap((d) => [d.orgId, d.idempotencyKey ?? null]),
  );
  for (const row of rows) found.set(`${row.org_id}/${row.idempotency_key}`, row.id);
  return found;
}

export interface HistoryInsert {
  messageId: string;
  orgId: string;
  contactId?: string | null;
  state: MessageState;
  providerId?: string | null;
  reason?: string | null;
  at: Date;
}

/** Appends history rows, stamped with the writing transaction's id (the watch order; see entities.ts). */
export async function insertHistory(em: EntityManager, rows: HistoryInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await query(
    em,
    `insert into ${tableOf(em, MessageHistoryEntity)} ("message_id", "org_id", "contact_id", "state", "provider_id", "reason", "at", "txid")
     values ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, pg_current_xact_id()::text::bigint)").join(", ")}`,
    rows.flatMap((r) => [r.messageId, r.orgId, r.contactId ?? null, r.state, r.providerId ?? null, r.reason ?? null, r.at]),
  );
}

/**
 * Moves a message to `to` if that is a forward move from its current state (see states.ts); records it in the
 * history and announces it. Returns false, changing nothing, when the move is not allowed.
 */
export async function transition(
  deps: MessagingDeps,
  em: EntityManager,
  messageId: string,
  to: MessageState,
  detail: { providerId?: string; reason?: string; at?: Date } = {},
): Promise<boolean> {
  const [row] = await query<{ org_id: string; contact_id: string | null; state: number; created_at: Date; provider_id: string | null }>(
    em,
    `select "org_id", "contact_id", "state", "created_at", "provider_id" from ${tableOf(em, MessageEntity)} where "id" = ? for update`,
    [messageId],
  );
  if (!row || !canMove(row.state, to)) return false;
  await recordMove(em, { messageId, orgId: row.org_id, contactId: row.contact_id, state: to, providerId: detail.providerId, reason: detail.reason, at: detail.at ?? new Date() });
  // The first report of delivery (a receipt; a later READ or REPLIED without one does not count).
  const providerId = detail.providerId ?? row.provider_id;
  if (DELIVERED.has(to) && row.state < MessageState.DELIVERED_SERVICE && providerId) {
    const [provider] = await query<{ kind: string }>(em, `select "kind" from ${tableOf(em, ProviderEntity)} where "id" = ?`, [providerId]);
    if (provider) sendMetricsOf(deps).observeDelivered(provider.kind, ((detail.at ?? new Date()).getTime() - new Date(row.created_at).getTime()) / 1000);
  }
  return true;
}

/** Writes a move the caller has already checked (the row locked): state, provider, history and announcement. */
export async function recordMove(em: EntityManager, move: HistoryInsert): Promise<void> {
  await query(
    em,
    `update ${tableOf(em, MessageEntity)} set "state" = ?, "provider_id" = coalesce(?, "provider_id"), "updated_at" = ? where "id" = ?`,
    [move.state, move.providerId ?? null, new Date(), move.messageId],
  );
  await insertHistory(em, [move]);
  await publishInTransaction(em, MESSAGES_CHANNEL(move.orgId), move.messageId);
}

/**
 * Records a message received through a provider; the same (provider, provider message id) twice returns the
 * first one (`created` false). Incoming messages are born SENT: the contact sent them.
 */
export async function createIncomingMessage(
  deps: MessagingDeps,
  em: EntityManager,
  input: { orgId: string; recipient?: RecipientRef; from: string; providerId: string; providerMessageId: string; text: string; replyToMessageId?: string },
): Promise<{ id: string; created: boolean }> {
  void deps;
  // Serialises two deliveries of the same event until the first commits, so the second finds its row.
  await query(em, `select pg_advisory_xact_lock(hashtext(?))`, [`messaging-in/${input.providerId}/${input.providerMessageId}`]);
  const [found] = await query<{ id: string }>(
    em,
    `select "id" from ${tableOf(em, MessageEntity)} where "provider_id" = ? and "provider_message_id" = ? and "direction" = ?`,
    [input.providerId, input.providerMessageId, Direction.INCOMING],
  );
  if (found) return { id: found.id, created: false };
  const id = crypto.randomUUID();
  const now = new Date();
  await query(
    em,
    `insert into ${tableOf(em, MessageEntity)} ("id", "org_id", "direction", "state", "contact_id", "recipient_community_id",
       "recipient_account_id", "text", "send_at", "reply_to_message_id", "provider_id", "provider_message_id", "address", "round", "created_at", "updated_at")
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    [id, input.orgId, Direction.INCOMING, MessageState.SENT, input.recipient?.contactId ?? null, input.recipient?.member?.communityId ?? null,
      input.recipient?.member?.accountId ?? null, input.text, now, input.replyToMessageId ?? null, input.providerId, input.providerMessageId,
      input.from.slice(0, 320), now, now],
  );
  await insertHistory(em, [{ messageId: id, orgId: input.orgId, contactId: input.recipient?.contactId, state: MessageState.SENT, providerId: input.providerId, at: now }]);
  await publishInTransaction(em, MESSAGES_CHANNEL(input.orgId), id);
  return { id, created: true };
}

/** The outgoing or incoming message a provider knows by `providerMessageId`. */
export async function findByProviderMessageId(
  em: EntityManager,
  providerId: string,
  providerMessageId: string,
): Promise<{ id: string; orgId: string; state: MessageState } | undefined> {
  const [row] = await query<{ id: string; org_id: string; state: number }>(
    em,
    `select "id", "org_id", "state" from ${tableOf(em, MessageEntity)} where "provider_id" = ? and "provider_message_id" = ?
     order by "direction" limit 1`,
    [providerId, providerMessageId],
  );
  return row && { id: row.id, orgId: row.org_id, state: row.state as MessageState };
}
