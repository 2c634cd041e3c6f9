// Delegation rows and walks within one scope (community + topic), in raw SQL.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { Delegation } from "./entities.js";

export interface DelegationRow {
  id: string;
  community_id: string;
  delegator_id: string;
  delegate_id: string;
  topic: string;
  created_at: Date | string;
}

// Bounds a walk even if the table ever held a cycle (SetDelegation never writes one).
const MAX_HOPS = 1_000_000;

/**
 * Follows delegations in one scope from `start`: returns [start, its delegate, theirs, …], ending where nobody
 * delegates further, or at `stopAt` when reached.
 */
export async function walkScope(em: EntityManager, communityId: string, topic: string, start: string, stopAt = ""): Promise<string[]> {
  const table = tableOf(em, Delegation);
  const rows = await query<{ id: string }>(em,
    `with recursive walk(id, depth) as (
       select ?::uuid, 0
       union all
       select d.delegate_id, w.depth + 1 from ${table} d join walk w on d.delegator_id = w.id
       where d.community_id = ? and d.topic = ? and w.depth < ${MAX_HOPS} and w.id::text <> ? and (w.depth = 0 or w.id <> ?::uuid)
     ) select id from walk order by depth`,
    [start, communityId, topic, stopAt, start]);
  return rows.map((r) => r.id);
}

export async function findDelegation(em: EntityManager, communityId: string, delegatorId: string, topic: string): Promise<DelegationRow | undefined> {
  const [row] = await query<DelegationRow>(em,
    `select * from ${tableOf(em, Delegation)} where community_id = ? and delegator_id = ? and topic = ?`, [communityId, delegatorId, topic]);
  return row;
}

export async function upsertDelegation(em: EntityManager, row: Omit<DelegationRow, "created_at"> & { created_at: Date }): Promise<void> {
  await query(em,
    `insert into ${tableOf(em, Delegation)} (id, community_id, delegator_id, topic, delegate_id, created_at) values (?, ?, ?, ?, ?, ?)
     on conflict (community_id, delegator_id, topic) do update set id = excluded.id, delegate_id = excluded.delegate_id, created_at = excluded.created_at`,
    [row.id, row.community_id, row.delegator_id, row.topic, row.delegate_id, row.created_at]);
}

export async function deleteDelegation(em: EntityManager, communityId: string, delegatorId: string, topic: string): Promise<DelegationRow | undefined> {
  const [row] = await query<DelegationRow>(em,
    `delete from ${tableOf(em, Delegation)} where community_id = ? and delegator_id = ? and topic = ? returning *`, [communityId, delegatorId, topic]);
  return row;
}

export async function listDelegations(em: EntityManager, communityId: string, column: "delegator_id" | "delegate_id", accountId: string): Promise<DelegationRow[]> {
  return query<DelegationRow>(em,
    `select * from ${tableOf(em, Delegation)} where community_id = ? and ${column} = ? order by topic, delegator_id`, [communityId, accountId]);
}

/** Serialises changes to one scope until the transaction ends, so two delegations cannot close a cycle together. */
export async function lockScope(em: EntityManager, communityId: string, topic: string): Promise<void> {
  await query(em, `select pg_advisory_xact_lock(hashtext(?)) as locked`, [`polity:delegation:${communityId}:${topic}`]);
}
