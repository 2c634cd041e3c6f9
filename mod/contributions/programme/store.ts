// Reading and replacing a community's programme row; a community without one has the defaults.
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, jsonOf, query, tableOf } from "../../../sys/core/sql.js";
import { ProgrammeEntity } from "../entities.js";
import { TEXT_ARRAY, textArray } from "../sql-values.js";
import { type Badge, defaultProgramme, type Period, type PointsRule, type Programme } from "./defaults.js";

interface ProgrammeRow {
  community_id: string;
  labels: string[];
  points: PointsRule[] | string;
  credit_merged_pull_requests: boolean;
  badges: Badge[] | string;
  pull_request_badge: string;
  periods: Array<{ name: string; start: string; end: string }> | string;
  updated_at: Date | string;
  last_reconcile_at: Date | string | null;
}

export async function loadProgramme(em: EntityManager, communityId: string): Promise<Programme> {
  const [row] = await query<ProgrammeRow>(em, `select * from ${tableOf(em, ProgrammeEntity)} where community_id = ?`, [communityId]);
  if (!row) return defaultProgramme(communityId);
  return {
    communityId,
    labels: row.labels,
    points: jsonOf(row.points),
    creditMergedPullRequests: row.credit_merged_pull_requests,
    badges: jsonOf(row.badges),
    pullRequestBadge: row.pull_request_badge,
    periods: jsonOf(row.periods).map((p) => ({ name: p.name, start: new Date(p.start), end: new Date(p.end) })),
    updatedAt: dateOf(row.updated_at),
    lastReconcileAt: row.last_reconcile_at ? dateOf(row.last_reconcile_at) : undefined,
  };
}

export async function saveProgramme(em: EntityManager, programme: Programme, now = new Date()): Promise<void> {
  const periods = programme.periods.map((p) => ({ name: p.name, start: p.start.toISOString(), end: p.end.toISOString() }));
  await query(em,
    `insert into ${tableOf(em, ProgrammeEntity)} (community_id, labels, points, credit_merged_pull_requests, badges, pull_request_badge, periods, updated_at)
     values (?, ${TEXT_ARRAY}, ?, ?, ?, ?, ?, ?)
     on conflict (community_id) do update set labels = excluded.labels, points = excluded.points,
       credit_merged_pull_requests = excluded.credit_merged_pull_requests, badges = excluded.badges,
       pull_request_badge = excluded.pull_request_badge, periods = excluded.periods, updated_at = excluded.updated_at`,
    [programme.communityId, textArray(programme.labels), JSON.stringify(programme.points), programme.creditMergedPullRequests, JSON.stringify(programme.badges), programme.pullRequestBadge, JSON.stringify(periods), now]);
}

/** Records that the community's issues were listed from GitHub (shown as last_reconcile_time). */
export async function markReconciled(em: EntityManager, communityId: string, now = new Date()): Promise<void> {
  const current = await loadProgramme(em, communityId);
  if (!current.updatedAt) await saveProgramme(em, current, now);
  await query(em, `update ${tableOf(em, ProgrammeEntity)} set last_reconcile_at = ? where community_id = ?`, [now, communityId]);
}
