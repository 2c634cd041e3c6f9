// What the sender asks before sending a blast's message: a PAUSED blast's messages wait, a CANCELLED blast's
// messages are cancelled, RUNNING and DONE ones go. One query for a whole batch of messages.
import type { EntityManager } from "../../../sys/core/db.js";
import { isUuid, query, tableOf } from "../../../sys/core/sql.js";
import { BlastEntity, type BlastState } from "./entities.js";

export async function blastStates(em: EntityManager, blastIds: string[]): Promise<Map<string, BlastState>> {
  const ids = [...new Set(blastIds)].filter(isUuid);
  const states = new Map<string, BlastState>();
  if (ids.length === 0) return states;
  const rows = await query<{ id: string; state: BlastState }>(
    em,
    `select "id", "state" from ${tableOf(em, BlastEntity)} where "id" in (?)`,
    [ids],
  );
  for (const row of rows) states.set(row.id, row.state);
  return states;
}
