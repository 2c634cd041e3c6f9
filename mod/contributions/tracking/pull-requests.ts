// Pull requests of the repositories the community's GitHub instances report, with the issues they link to.
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, jsonOf, query, tableOf } from "../../../sys/core/sql.js";
import { PullRequestEntity } from "../entities.js";
import { linkedIssues } from "../github/linked-issues.js";
import type { PullRequestFacts } from "../github/payloads.js";
import { numberOf } from "../sql-values.js";

export interface PullRequestRow {
  id: string;
  communityId: string;
  pullRequestId: number;
  repository: string;
  number: number;
  title: string;
  url: string;
  authorGithubId?: number;
  authorLogin: string;
  authorAccountId?: string;
  state: string;
  merged: boolean;
  mergedByLogin: string;
  mergedAt?: Date;
  linkedIssues: number[];
}

export function pullRequestOf(raw: Record<string, unknown>): PullRequestRow {
  return {
    id: raw.id as string,
    communityId: raw.community_id as string,
    pullRequestId: numberOf(raw.pull_request_id as string)!,
    repository: raw.repository as string,
    number: raw.number as number,
    title: raw.title as string,
    url: raw.url as string,
    authorGithubId: numberOf(raw.author_github_id as string | null),
    authorLogin: raw.author_login as string,
    authorAccountId: (raw.author_account_id as string | null) ?? undefined,
    state: raw.state as string,
    merged: raw.merged as boolean,
    mergedByLogin: raw.merged_by_login as string,
    mergedAt: raw.merged_at ? dateOf(raw.merged_at as Date) : undefined,
    linkedIssues: jsonOf(raw.linked_issues as number[]),
  };
}

export async function recordPullRequest(tx: EntityManager, input: { communityId: string; instanceId: string; facts: PullRequestFacts; authorAccountId?: string }, now = new Date()): Promise<PullRequestRow> {
  const { communityId, instanceId, facts } = input;
  const table = tableOf(tx, PullRequestEntity);
  const linked = linkedIssues(facts.repository, facts.title, facts.body);
  await query(tx,
    `insert into ${table} (id, community_id, instance_id, pull_request_id, repository, number, title, url, author_github_id, author_login, author_account_id,
       state, merged, merged_by_login, merged_at, linked_issues, pr_updated_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (community_id, pull_request_id) do update set instance_id = excluded.instance_id, title = excluded.title, url = excluded.url,
       author_github_id = excluded.author_github_id, author_login = excluded.author_login, author_account_id = excluded.author_account_id,
       state = excluded.state, merged = ${table}.merged or excluded.merged, merged_by_login = excluded.merged_by_login,
       merged_at = coalesce(excluded.merged_at, ${table}.merged_at), linked_issues = excluded.linked_issues,
       pr_updated_at = excluded.pr_updated_at, updated_at = excluded.updated_at
     where ${table}.pr_updated_at <= excluded.pr_updated_at`,
    [crypto.randomUUID(), communityId, instanceId, facts.pullRequestId, facts.repository, facts.number, facts.title, facts.url, facts.author?.id ?? null,
      facts.author?.login ?? "", input.authorAccountId ?? null, facts.state, facts.merged, facts.mergedBy, facts.mergedAt ?? null, JSON.stringify(linked),
      facts.updatedAt, now, now]);
  const [row] = await query<Record<string, unknown>>(tx, `select * from ${table} where community_id = ? and pull_request_id = ?`, [communityId, facts.pullRequestId]);
  return pullRequestOf(row!);
}

/** Merged pull requests of the repository that link to the issue number. */
export async function mergedPullRequestsLinking(em: EntityManager, communityId: string, repository: string, number: number): Promise<PullRequestRow[]> {
  const rows = await query<Record<string, unknown>>(em,
    `select * from ${tableOf(em, PullRequestEntity)} where community_id = ? and lower(repository) = lower(?) and merged and linked_issues @> ?::jsonb`,
    [communityId, repository, JSON.stringify([number])]);
  return rows.map(pullRequestOf);
}
