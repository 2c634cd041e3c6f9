// appendActivity (contracts.ts): one entry on the community's hash chain, inside the caller's transaction.
// The head row is locked FOR UPDATE, so concurrent appends queue on it: sequences have no gaps and the chain
// no forks. Watchers hear of the entry only after commit (publishInTransaction).
// The lock is held until the caller commits, and a commit waits for the WAL flush (~2 ms here), so appends to
// one community are bounded by commits per second: callers that can, take the lock last and append many
// entries under one lock (appendMany; see ../cast-queue.ts) so one flush covers them all.
import { createHash } from "node:crypto";
import { canonicalJson, hashInput } from "@polity/tally";
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import type { ActivityInput, AppendActivity, AppendedActivity } from "../contracts.js";
import { ActivityEntry, ActivityHead } from "./entities.js";
import { inTransaction, query, tableOf } from "../../../sys/core/sql.js";

export const activityChannel = (communityId: string) => `activity:${communityId}`;

export interface HeadRow {
  sequence: number;
  hash: string;
  membershipCursor: number;
}

type RawHead = { sequence: string | number; hash: string; membership_cursor: string | number };

/** Locks the community's head row (creating it on first use) for the rest of the transaction. */
export async function lockHead(em: EntityManager, communityId: string): Promise<HeadRow> {
  const heads = tableOf(em, ActivityHead);
  const select = `select sequence, hash, membership_cursor from ${heads} where community_id = ? for update`;
  // The row exists after a community's first entry: one round trip in the common case.
  let [row] = await query<RawHead>(em, select, [communityId]);
  if (!row) {
    await query(em, `insert into ${heads} (community_id, sequence, hash, membership_cursor) values (?, 0, '', 0) on conflict do nothing`, [communityId]);
    [row] = await query<RawHead>(em, select, [communityId]);
  }
  return { sequence: Number(row.sequence), hash: row.hash, membershipCursor: Number(row.membership_cursor) };
}

/** Appends `inputs` in order after `head` (already locked, all of its community) and moves the head; returns the new head. */
export async function appendLockedMany(em: EntityManager, head: HeadRow, inputs: ActivityInput[], time = new Date()): Promise<{ head: HeadRow; appended: AppendedActivity[] }> {
  if (inputs.length === 0) return { head, appended: [] };
  const communityId = inputs[0].communityId;
  const params: unknown[] = [];
  const appended: AppendedActivity[] = [];
  let { sequence, hash: prevHash } = head;
  for (const input of inputs) {
    if (input.communityId !== communityId) throw new Error("appendLockedMany: entries of one community only");
    const entry = { sequence: sequence + 1, kind: input.kind, time: time.toISOString(), actorId: input.actorId, pollId: input.pollId ?? "", payload: canonicalJson(input.payload), prevHash };
    // chain.ts's entryHash, but synchronous: Web Crypto's digest is a thread-pool round trip per entry, and
    // these run one after the other while the lock is held.
    const hash = createHash("sha256").update(hashInput(entry)).digest("hex");
    params.push(communityId, entry.sequence, entry.kind, time, entry.actorId, entry.pollId, entry.payload, entry.prevHash, hash);
    appended.push({ sequence: entry.sequence, hash });
    sequence = entry.sequence;
    prevHash = hash;
  }
  // Entries and the head's move in one statement: one round trip less while the lock is held.
  await query(em,
    `with added as (insert into ${tableOf(em, ActivityEntry)} (community_id, sequence, kind, time, actor_id, poll_id, payload, prev_hash, hash)
       values ${inputs.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} returning 1)
     update ${tableOf(em, ActivityHead)} set sequence = ?, hash = ? where community_id = ?`,
    [...params, sequence, prevHash, communityId]);
  return { head: { ...head, sequence, hash: prevHash }, appended };
}

/** Appends after `head` (already locked) and moves the head; returns the new head. */
export async function appendLocked(em: EntityManager, head: HeadRow, input: ActivityInput, time = new Date()): Promise<HeadRow> {
  return (await appendLockedMany(em, head, [input], time)).head;
}

/**
 * Appends entries of one community in order, under one lock of its head, inside the caller's transaction (or
 * a new one). Take it as the transaction's last step: the lock is held until commit.
 */
export const appendMany = (em: EntityManager, inputs: ActivityInput[], time = new Date()): Promise<AppendedActivity[]> =>
  inTransaction(em, async (tx) => {
    if (inputs.length === 0) return [];
    const { head, appended } = await appendLockedMany(tx, await lockHead(tx, inputs[0].communityId), inputs, time);
    await publishInTransaction(tx, activityChannel(inputs[0].communityId), String(head.sequence));
    return appended;
  });

export const appendActivity: AppendActivity = async (em, input) => (await appendMany(em, [input]))[0];
