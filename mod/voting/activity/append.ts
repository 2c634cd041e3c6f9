// appendActivity (contracts.ts): one entry on the community's hash chain, inside the caller's transaction.
// The head row is locked FOR UPDATE, so concurrent appends queue on it: sequences have no gaps and the chain
// no forks. Watchers hear of the entry only after commit (publishInTransaction).
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import type { ActivityInput, AppendActivity, AppendedActivity } from "../contracts.js";
import { canonicalJson, entryHash } from "./chain.js";
import { ActivityEntry, ActivityHead } from "./entities.js";
import { inTransaction, query, tableOf } from "./sql.js";

export const activityChannel = (communityId: string) => `activity:${communityId}`;

export interface HeadRow {
  sequence: number;
  hash: string;
  membershipCursor: number;
}

/** Locks the community's head row (creating it on first use) for the rest of the transaction. */
export async function lockHead(em: EntityManager, communityId: string): Promise<HeadRow> {
  const heads = tableOf(em, ActivityHead);
  await query(em, `insert into ${heads} (community_id, sequence, hash, membership_cursor) values (?, 0, '', 0) on conflict do nothing`, [communityId]);
  const [row] = await query<{ sequence: string | number; hash: string; membership_cursor: string | number }>(
    em, `select sequence, hash, membership_cursor from ${heads} where community_id = ? for update`, [communityId]);
  return { sequence: Number(row.sequence), hash: row.hash, membershipCursor: Number(row.membership_cursor) };
}

/** Appends after `head` (already locked) and moves the head; returns the new head. */
export async function appendLocked(em: EntityManager, head: HeadRow, input: ActivityInput, time = new Date()): Promise<HeadRow> {
  const entry = {
    sequence: head.sequence + 1,
    kind: input.kind,
    time: time.toISOString(),
    actorId: input.actorId,
    pollId: input.pollId ?? "",
    payload: canonicalJson(input.payload),
    prevHash: head.hash,
  };
  const hash = await entryHash(entry);
  await query(em,
    `insert into ${tableOf(em, ActivityEntry)} (community_id, sequence, kind, time, actor_id, poll_id, payload, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [input.communityId, entry.sequence, entry.kind, time, entry.actorId, entry.pollId, entry.payload, entry.prevHash, hash]);
  await query(em, `update ${tableOf(em, ActivityHead)} set sequence = ?, hash = ? where community_id = ?`, [entry.sequence, hash, input.communityId]);
  return { ...head, sequence: entry.sequence, hash };
}

export const appendActivity: AppendActivity = (em, input) =>
  inTransaction(em, async (tx): Promise<AppendedActivity> => {
    const head = await appendLocked(tx, await lockHead(tx, input.communityId), input);
    await publishInTransaction(tx, activityChannel(input.communityId), String(head.sequence));
    return { sequence: head.sequence, hash: head.hash };
  });
