// The membership event feed. Every membership change appends its event in the change's own transaction; the
// sequence comes from the community's counter row, whose upsert holds the row lock until commit, so concurrent
// changes to one community queue up and a rolled-back change gives its number back: 1, 2, 3… with no gaps.
import type { EntityManager } from "../core/db.js";
import type { CommunityRole } from "../core/ports/directory-port.js";
import { query, tableOf } from "../core/sql.js";
import { type EVENT_KINDS, MembershipEvent, MembershipEventCounter } from "./entities.js";

export type EventKind = (typeof EVENT_KINDS)[number];

export interface EventInput {
  communityId: string;
  kind: EventKind;
  accountId: string | null;
  actorId: string | null;
  role: CommunityRole | null;
}

/** Appends one event; `em` must be inside the transaction that makes the change. Returns its sequence. */
export async function appendEvent(em: EntityManager, input: EventInput): Promise<number> {
  if (!em.isInTransaction()) throw new Error("membership events are written inside the change's transaction");
  const counters = tableOf(em, MembershipEventCounter);
  const [row] = await query<{ last_sequence: number }>(
    em,
    `insert into ${counters} as c (community_id, last_sequence) values (?, 1)
     on conflict (community_id) do update set last_sequence = c.last_sequence + 1 returning last_sequence`,
    [input.communityId],
  );
  const sequence = Number(row!.last_sequence);
  await em.insert(MembershipEvent, { id: crypto.randomUUID(), ...input, sequence, time: new Date() });
  return sequence;
}

export async function readEvents(em: EntityManager, communityId: string, afterSequence: number, limit: number): Promise<MembershipEvent[]> {
  return em.find(MembershipEvent, { communityId, sequence: { $gt: afterSequence } }, { orderBy: { sequence: "asc" }, limit });
}
