// Reading stored ballots, shared by the ballot and result RPCs.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { BallotEntity, type ChoiceJson } from "../entities.js";

export interface StoredBallot {
  voter_id: string;
  choice: ChoiceJson | string;
  cast_at: Date | string;
}
export const parseChoice = (c: ChoiceJson | string): ChoiceJson => (typeof c === "string" ? JSON.parse(c) : c);

export async function ballotOf(em: EntityManager, pollId: string, voterId: string, lock = false): Promise<{ choice: ChoiceJson; castAt: Date } | undefined> {
  const [row] = await query<StoredBallot>(em,
    `select voter_id, choice, cast_at from ${tableOf(em, BallotEntity)} where poll_id = ? and voter_id = ?${lock ? " for update" : ""}`, [pollId, voterId]);
  return row ? { choice: parseChoice(row.choice), castAt: new Date(row.cast_at) } : undefined;
}
