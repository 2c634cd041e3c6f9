// Reading a poll's ballots for counting without materialising one row per voter: PostgreSQL groups identical
// choices (a million ballots over ten options are a few thousand distinct ones) and the groups are fetched
// through a cursor in pages, so memory follows the number of distinct ballots even when that is large.
// The few voters whose weight is not 1 (delegates) are joined in with their weight; the sum of the group's
// weights is exactly what the per-ballot path adds up, since weights are whole numbers. Groups come in the order
// of their first ballot in the table (min ctid), the order a sequential scan gave the per-ballot read: the engine
// keeps first-seen order, and it shows where floats are summed (STV surplus transfers, split equal ranks) and in
// the order transfers are listed — so the result stays byte-identical.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "../../../sys/core/db.js";
import { inTransaction, query, tableOf } from "../../../sys/core/sql.js";
import { BallotEntity, type ChoiceJson } from "../entities.js";

const PAGE = 5_000;

export interface BallotGroup {
  choice: ChoiceJson;
  /** How many ballots carry this choice. */
  ballots: number;
  /** Their summed weight. */
  weight: number;
}

/** jsonb comes back parsed from node-postgres and as text from some drivers. */
export function parsed(choice: ChoiceJson | string): ChoiceJson {
  return typeof choice === "string" ? JSON.parse(choice) : choice;
}

/** Who cast a ballot in the poll (delegation resolution and the weight flows need every one). */
export async function votersOf(em: EntityManager, pollId: string): Promise<string[]> {
  const rows = await query<{ voter_id: string }>(em, `select voter_id from ${tableOf(em, BallotEntity)} where poll_id = ?`, [pollId]);
  return rows.map((r) => r.voter_id);
}

/**
 * Calls `each` for every distinct choice in the poll's ballots, with its ballot count and summed weight; a voter
 * missing from `weightByVoter` weighs 1, as in the per-ballot path.
 */
export async function forEachGroupedBallot(em: EntityManager, pollId: string, weightByVoter: ReadonlyMap<string, number>,
  each: (group: BallotGroup) => void, page = PAGE): Promise<void> {
  const heavy: Record<string, number> = {};
  for (const [voter, weight] of weightByVoter) if (weight !== 1) heavy[voter] = weight;
  // A cursor lives in a transaction; name it uniquely in case counts share one (without a counter shared by
  // every host in the process).
  const cursor = `polity_ballot_groups_${randomUUID().replaceAll("-", "")}`;
  const sql = `declare ${cursor} no scroll cursor for
    select b.choice, count(*)::int as ballots, sum(coalesce(w.weight, 1))::float8 as weight
    from ${tableOf(em, BallotEntity)} b
    left join (select key::uuid as voter_id, value::float8 as weight from jsonb_each_text(?::jsonb)) w on w.voter_id = b.voter_id
    where b.poll_id = ?
    group by b.choice
    order by min(b.ctid)`;
  await inTransaction(em, async (tx) => {
    await query(tx, sql, [JSON.stringify(heavy), pollId]);
    for (;;) {
      const rows = await query<{ choice: ChoiceJson | string; ballots: number; weight: number }>(tx, `fetch forward ${page} from ${cursor}`);
      for (const r of rows) each({ choice: parsed(r.choice), ballots: r.ballots, weight: r.weight });
      if (rows.length < page) break;
    }
    // On failure the transaction's end closes it.
    await query(tx, `close ${cursor}`);
  });
}
