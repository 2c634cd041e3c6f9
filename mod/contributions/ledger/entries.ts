// The points ledger: credits and reversals appended, never changed or deleted. The unique key (community,
// issue, account, role, reason) turns a second credit for the same thing into nothing.
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, query, tableOf } from "../../../sys/core/sql.js";
import { LedgerEntity } from "../entities.js";
import type { Complexity } from "../forms/issue-form.js";
import type { Role } from "../programme/defaults.js";
import { numberOf } from "../sql-values.js";

export interface LedgerRow {
  id: string;
  communityId: string;
  accountId: string;
  githubLogin: string;
  role: Role;
  reason: string;
  points: number;
  issueId: number;
  repository: string;
  number: number;
  complexity?: Complexity;
  occurredAt: Date;
  createdAt: Date;
  note: string;
}

export type NewEntry = Omit<LedgerRow, "id" | "createdAt" | "note"> & { note?: string };

export function ledgerRowOf(raw: Record<string, unknown>): LedgerRow {
  return {
    id: raw.id as string,
    communityId: raw.community_id as string,
    accountId: raw.account_id as string,
    githubLogin: raw.github_login as string,
    role: raw.role as Role,
    reason: raw.reason as string,
    points: raw.points as number,
    issueId: numberOf(raw.issue_id as string)!,
    repository: raw.repository as string,
    number: raw.number as number,
    complexity: (raw.complexity as Complexity | "") || undefined,
    occurredAt: dateOf(raw.occurred_at as Date),
    createdAt: dateOf(raw.created_at as Date),
    note: raw.note as string,
  };
}

/** Appends the entry unless one with its key exists; returns it when it was added. */
export async function appendEntry(tx: EntityManager, entry: NewEntry, now = new Date()): Promise<LedgerRow | undefined> {
  const rows = await query<Record<string, unknown>>(tx,
    `insert into ${tableOf(tx, LedgerEntity)} (id, community_id, account_id, github_login, role, reason, points, issue_id, repository, number, complexity, occurred_at, created_at, note)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (community_id, issue_id, account_id, role, reason) do nothing
     returning *`,
    [crypto.randomUUID(), entry.communityId, entry.accountId, entry.githubLogin, entry.role, entry.reason, entry.points, entry.issueId, entry.repository, entry.number,
      entry.complexity ?? "", entry.occurredAt, now, entry.note ?? ""]);
  return rows[0] ? ledgerRowOf(rows[0]) : undefined;
}

export async function findEntry(em: EntityManager, communityId: string, id: string): Promise<LedgerRow | undefined> {
  const [row] = await query<Record<string, unknown>>(em, `select * from ${tableOf(em, LedgerEntity)} where community_id = ? and id = ?`, [communityId, id]);
  return row ? ledgerRowOf(row) : undefined;
}

/** Net points per issue for these issues (a ticket's points on its card). */
export async function pointsByIssue(em: EntityManager, communityId: string, issueIds: number[]): Promise<Map<number, number>> {
  if (issueIds.length === 0) return new Map();
  const rows = await query<{ issue_id: string | number; points: string | number }>(em,
    `select issue_id, sum(points) as points from ${tableOf(em, LedgerEntity)} where community_id = ? and issue_id = any(array(select jsonb_array_elements_text(?::jsonb)::bigint)) group by issue_id`,
    [communityId, JSON.stringify(issueIds)]);
  return new Map(rows.map((r) => [Number(r.issue_id), Number(r.points)]));
}
