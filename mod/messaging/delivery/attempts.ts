// Send attempts: one row per try of one provider, opened before the provider is called and closed with its
// outcome. A row left open was cut short (a worker died mid-send): the next run closes it as transient.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { type AttemptOutcome, SendAttemptEntity } from "../messages/entities.js";

export interface AttemptRow {
  id: string;
  message_id: string;
  provider_id: string;
  round: number;
  attempt: number;
  started_at: Date;
  finished_at: Date | null;
  outcome: AttemptOutcome | null;
  reason: string | null;
  retry_after_ms: number | null;
  provider_message_id: string | null;
}

export async function attemptsOf(em: EntityManager, messageIds: string[], round?: number): Promise<AttemptRow[]> {
  if (messageIds.length === 0) return [];
  const rows = await query<AttemptRow>(
    em,
    `select * from ${tableOf(em, SendAttemptEntity)} where "message_id" in (${messageIds.map(() => "?").join(", ")})
     ${round === undefined ? "" : `and "round" = ${Number(round)}`} order by "started_at", "attempt", "id"`,
    messageIds,
  );
  // Raw rows may carry timestamps as text.
  return rows.map((r) => ({ ...r, started_at: new Date(r.started_at), finished_at: r.finished_at ? new Date(r.finished_at) : null }));
}

export async function openAttempt(em: EntityManager, a: { messageId: string; providerId: string; round: number; attempt: number }): Promise<string> {
  const id = crypto.randomUUID();
  await query(
    em,
    `insert into ${tableOf(em, SendAttemptEntity)} ("id", "message_id", "provider_id", "round", "attempt", "started_at") values (?, ?, ?, ?, ?, ?)`,
    [id, a.messageId, a.providerId, a.round, a.attempt, new Date()],
  );
  return id;
}

export async function closeAttempt(
  em: EntityManager,
  id: string,
  result: { outcome: AttemptOutcome; reason?: string; retryAfterMs?: number; providerMessageId?: string },
): Promise<void> {
  await query(
    em,
    `update ${tableOf(em, SendAttemptEntity)} set "finished_at" = ?, "outcome" = ?, "reason" = ?, "retry_after_ms" = ?, "provider_message_id" = ?
     where "id" = ? and "outcome" is null`,
    [new Date(), result.outcome, result.reason?.slice(0, 2000) ?? null, result.retryAfterMs ?? null, result.providerMessageId ?? null, id],
  );
}
