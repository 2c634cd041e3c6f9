// The leaderboard: each account's net points from the ledger (within a period: entries that happened in it),
// the tickets it closed and the pull requests it merged, ranked by points over everyone before any filter.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { LedgerEntity, PullRequestEntity } from "../entities.js";
import { ISSUE_CLOSED } from "../ledger/settle.js";
import { REVERSAL_PREFIX } from "../ledger/reverse.js";
import type { Period } from "../programme/defaults.js";
import type { BoardCursor } from "./page-token.js";

export interface BoardRow {
  rank: number;
  accountId: string;
  githubLogin: string;
  points: number;
  ticketsClosed: number;
  pullRequestsMerged: number;
}

export interface BoardQuery {
  communityId: string;
  period?: Period;
  /** Only one account (a contributor's profile). */
  accountId?: string;
  minPoints?: number;
  maxPoints?: number;
  ascending?: boolean;
  after?: BoardCursor;
  limit: number;
}

export async function readBoard(em: EntityManager, q: BoardQuery): Promise<BoardRow[]> {
  const ledger = tableOf(em, LedgerEntity);
  const prs = tableOf(em, PullRequestEntity);
  const within = (column: string) => (q.period ? ` and ${column} >= ? and ${column} < ?` : "");
  const periodParams = q.period ? [q.period.start, q.period.end] : [];
  const filters: string[] = [];
  const filterParams: unknown[] = [];
  if (q.accountId) (filters.push("account_id = ?"), filterParams.push(q.accountId));
  if (q.minPoints !== undefined) (filters.push("points >= ?"), filterParams.push(q.minPoints));
  if (q.maxPoints !== undefined) (filters.push("points <= ?"), filterParams.push(q.maxPoints));
  if (q.after) {
    filters.push(`(points ${q.ascending ? ">" : "<"} ? or (points = ? and account_id > ?))`);
    filterParams.push(q.after.points, q.after.points, q.after.accountId);
  }
  const rows = await query<Record<string, string | number>>(em,
    `with pts as (
       select account_id, sum(points) as points,
         count(*) filter (where role = 'contributor' and reason = ?) - count(*) filter (where role = 'contributor' and reason = ?) as tickets_closed,
         (array_agg(github_login order by occurred_at desc))[1] as github_login
       from ${ledger} where community_id = ?${within("occurred_at")} group by account_id
     ), merged as (
       select author_account_id as account_id, count(*) as merged, (array_agg(author_login order by merged_at desc))[1] as github_login
       from ${prs} where community_id = ? and merged and author_account_id is not null${within("merged_at")} group by author_account_id
     ), board as (
       select coalesce(pts.account_id, merged.account_id) as account_id, coalesce(pts.points, 0) as points, coalesce(pts.tickets_closed, 0) as tickets_closed,
         coalesce(merged.merged, 0) as merged, coalesce(pts.github_login, merged.github_login) as github_login
       from pts full outer join merged on merged.account_id = pts.account_id
     ), ranked as (select board.*, rank() over (order by points desc) as rank from board)
     select * from ranked ${filters.length ? `where ${filters.join(" and ")}` : ""}
     order by points ${q.ascending ? "asc" : "desc"}, account_id asc limit ?`,
    [ISSUE_CLOSED, `${REVERSAL_PREFIX}${ISSUE_CLOSED}`, q.communityId, ...periodParams, q.communityId, ...periodParams, ...filterParams, q.limit]);
  return rows.map((r) => ({
    rank: Number(r.rank),
    accountId: String(r.account_id),
    githubLogin: String(r.github_login ?? ""),
    points: Number(r.points),
    ticketsClosed: Number(r.tickets_closed),
    pullRequestsMerged: Number(r.merged),
  }));
}
