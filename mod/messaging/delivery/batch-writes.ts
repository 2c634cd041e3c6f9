// The sender's writes for a whole batch of messages, each a few set-based statements inside the caller's
// transaction: lock the rows, move states (each move with its history row; one announcement per org), open and
// close attempts, postpone. Rows are always locked in id order, so two workers' batches cannot deadlock.
import type { EntityManager } from "../../../sys/core/db.js";
import { publishAllInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { AttemptOutcome } from "../messages/entities.js";
import { MessageEntity, SendAttemptEntity } from "../messages/entities.js";
import { type HistoryInsert, insertHistory, MESSAGES_CHANNEL } from "../messages/store.js";

export interface LockedRow {
  id: string;
  org_id: string;
  contact_id: string | null;
  state: number;
  round: number;
}

const marks = (rows: unknown[], row: string) => rows.map(() => row).join(", ");

export async function lockMessages(tx: EntityManager, ids: string[]): Promise<Map<string, LockedRow>> {
  if (ids.length === 0) return new Map();
  const rows = await query<LockedRow>(
    tx,
    `select "id", "org_id", "contact_id", "state", "round" from ${tableOf(tx, MessageEntity)} where "id" in (?) order by "id" for update`,
    [[...new Set(ids)].sort()],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** The messages of `ids` with an attempt of their current round still open (someone is sending them). */
export async function withOpenAttempt(tx: EntityManager, rows: LockedRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const found = await query<{ message_id: string }>(
    tx,
    `select a."message_id" from ${tableOf(tx, SendAttemptEntity)} a join (values ${marks(rows, "(?::uuid, ?::int)")}) v(id, round)
     on a."message_id" = v.id and a."round" = v.round where a."outcome" is null`,
    rows.flatMap((r) => [r.id, r.round]),
  );
  return new Set(found.map((r) => r.message_id));
}

export interface Move extends HistoryInsert {
  /** Who carries the message, written with the move (one UPDATE per row, not two). */
  carrier?: { channel: number; address: string; providerMessageId?: string };
}

/** Moves already checked (rows locked, canMove true): state, provider, a history row each, one NOTIFY per org. */
export async function moveMany(tx: EntityManager, moves: Move[]): Promise<void> {
  if (moves.length === 0) return;
  await query(
    tx,
    `update ${tableOf(tx, MessageEntity)} m set "state" = v.state, "provider_id" = coalesce(v.provider, m."provider_id"), "channel" = coalesce(v.channel, m."channel"),
       "address" = coalesce(v.address, m."address"), "provider_message_id" = coalesce(v.pmid, m."provider_message_id"), "updated_at" = ?
     from (values ${marks(moves, "(?::uuid, ?::int, ?::uuid, ?::int, ?::text, ?::text)")}) v(id, state, provider, channel, address, pmid) where m."id" = v.id`,
    [new Date(), ...moves.flatMap((m) => [m.messageId, m.state, m.providerId ?? null, m.carrier?.channel ?? null, m.carrier?.address.slice(0, 320) ?? null, m.carrier?.providerMessageId?.slice(0, 200) ?? null])],
  );
  await insertHistory(tx, moves);
  // Watchers re-read from their position on any wake-up: one per org says as much as one per message.
  const firstOfOrg = new Map<string, string>();
  for (const m of moves) if (!firstOfOrg.has(m.orgId)) firstOfOrg.set(m.orgId, m.messageId);
  await publishAllInTransaction(tx, [...firstOfOrg].map(([orgId, id]) => [MESSAGES_CHANNEL(orgId), id] as [string, string]));
}

export interface CarrierWrite {
  messageId: string;
  providerId: string;
  channel: number;
  address: string;
  providerMessageId?: string;
}

export async function setCarriers(tx: EntityManager, writes: CarrierWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await query(
    tx,
    `update ${tableOf(tx, MessageEntity)} m set "provider_id" = v.provider, "channel" = v.channel, "address" = v.address,
       "provider_message_id" = coalesce(v.pmid, m."provider_message_id"), "updated_at" = ?
     from (values ${marks(writes, "(?::uuid, ?::uuid, ?::int, ?::text, ?::text)")}) v(id, provider, channel, address, pmid) where m."id" = v.id`,
    [new Date(), ...writes.flatMap((w) => [w.messageId, w.providerId, w.channel, w.address.slice(0, 320), w.providerMessageId?.slice(0, 200) ?? null])],
  );
}

export interface AttemptOpen {
  id: string;
  messageId: string;
  providerId: string;
  round: number;
  attempt: number;
  /** Closed at once (the provider cannot be used for this recipient after all). */
  closed?: { outcome: AttemptOutcome; reason: string };
}

export async function insertAttempts(tx: EntityManager, attempts: AttemptOpen[]): Promise<void> {
  if (attempts.length === 0) return;
  const now = new Date();
  await query(
    tx,
    `insert into ${tableOf(tx, SendAttemptEntity)} ("id", "message_id", "provider_id", "round", "attempt", "started_at", "finished_at", "outcome", "reason")
     values ${marks(attempts, "(?, ?, ?, ?, ?, ?, ?, ?, ?)")}`,
    attempts.flatMap((a) => [a.id, a.messageId, a.providerId, a.round, a.attempt, now, a.closed ? now : null, a.closed?.outcome ?? null, a.closed?.reason.slice(0, 2000) ?? null]),
  );
}

export interface AttemptClose {
  id: string;
  outcome: AttemptOutcome;
  reason?: string;
  retryAfterMs?: number;
  providerMessageId?: string;
}

/** Closes attempts still open (one closed meanwhile, e.g. as interrupted, keeps its first outcome). */
export async function closeAttempts(tx: EntityManager, closes: AttemptClose[]): Promise<void> {
  if (closes.length === 0) return;
  await query(
    tx,
    `update ${tableOf(tx, SendAttemptEntity)} a set "finished_at" = ?, "outcome" = v.outcome, "reason" = v.reason, "retry_after_ms" = v.retry, "provider_message_id" = v.pmid
     from (values ${marks(closes, "(?::uuid, ?::text, ?::text, ?::int, ?::text)")}) v(id, outcome, reason, retry, pmid) where a."id" = v.id and a."outcome" is null`,
    [new Date(), ...closes.flatMap((c) => [c.id, c.outcome, c.reason?.slice(0, 2000) ?? null, c.retryAfterMs ?? null, c.providerMessageId?.slice(0, 200) ?? null])],
  );
}

/** Moves the messages' send times (a retry's backoff, a rate-limit slot, a paused blast): early jobs wait. */
export async function postponeMany(tx: EntityManager, moves: Array<{ messageId: string; at: Date }>): Promise<void> {
  if (moves.length === 0) return;
  await query(
    tx,
    `update ${tableOf(tx, MessageEntity)} m set "send_at" = v.at, "updated_at" = ? from (values ${marks(moves, "(?::uuid, ?::timestamptz)")}) v(id, at) where m."id" = v.id`,
    [new Date(), ...moves.flatMap((m) => [m.messageId, m.at])],
  );
}
