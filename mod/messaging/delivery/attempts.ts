// Send attempts: one row per try of one provider, opened before the provider is called and closed with its
// outcome (batch-writes.ts). A row left open was cut short (a worker died mid-send): the next run closes it as
// transient.
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
