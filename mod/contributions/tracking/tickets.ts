// Tickets: the programme's issues as last reported. A delivery older than what is stored (GitHub does not
// promise order, and a reconciliation listing may cross a webhook) does not overwrite a newer state.
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, jsonOf, query, tableOf } from "../../../sys/core/sql.js";
import { TicketEntity } from "../entities.js";
import { type Complexity, parseIssueForm } from "../forms/issue-form.js";
import type { IssueFacts } from "../github/payloads.js";
import { inProgramme, type Programme } from "../programme/defaults.js";
import { numberOf, TEXT_ARRAY, textArray } from "../sql-values.js";

export interface TicketRow {
  id: string;
  communityId: string;
  instanceId: string;
  issueId: number;
  repository: string;
  number: number;
  title: string;
  url: string;
  labels: string[];
  inProgramme: boolean;
  state: string;
  stateReason: string;
  assigneeGithubId?: number;
  assigneeLogin: string;
  assigneeAccountId?: string;
  mentors: string[];
  complexity?: Complexity;
  sections: Record<string, string>;
  problems: string[];
  comments: number;
  issueUpdatedAt: Date;
  closedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type RawTicket = Record<string, unknown>;

export function ticketOf(raw: RawTicket): TicketRow {
  return {
    id: raw.id as string,
    communityId: raw.community_id as string,
    instanceId: raw.instance_id as string,
    issueId: numberOf(raw.issue_id as string)!,
    repository: raw.repository as string,
    number: raw.number as number,
    title: raw.title as string,
    url: raw.url as string,
    labels: raw.labels as string[],
    inProgramme: raw.in_programme as boolean,
    state: raw.state as string,
    stateReason: raw.state_reason as string,
    assigneeGithubId: numberOf(raw.assignee_github_id as string | null),
    assigneeLogin: raw.assignee_login as string,
    assigneeAccountId: (raw.assignee_account_id as string | null) ?? undefined,
    mentors: raw.mentors as string[],
    complexity: (raw.complexity as Complexity | "") || undefined,
    sections: jsonOf(raw.sections as Record<string, string>),
    problems: raw.problems as string[],
    comments: raw.comments as number,
    issueUpdatedAt: dateOf(raw.issue_updated_at as Date),
    closedAt: raw.closed_at ? dateOf(raw.closed_at as Date) : undefined,
    createdAt: dateOf(raw.created_at as Date),
    updatedAt: dateOf(raw.updated_at as Date),
  };
}

export interface RecordIssueInput {
  communityId: string;
  instanceId: string;
  facts: IssueFacts;
  programme: Programme;
  /** The Polity account of the assignee, when linked. */
  assigneeAccountId?: string;
}

/**
 * Stores the issue if it is (or was) a programme ticket; returns the ticket as stored afterwards, or undefined
 * for an issue the programme never had.
 */
export async function recordIssue(tx: EntityManager, input: RecordIssueInput, now = new Date()): Promise<TicketRow | undefined> {
  const { communityId, instanceId, facts, programme } = input;
  const table = tableOf(tx, TicketEntity);
  const labelled = inProgramme(programme, facts.labels);
  if (!labelled) {
    // Out of the programme now: a ticket already tracked keeps its history but leaves the lists.
    const rows = await query<RawTicket>(tx,
      `update ${table} set in_programme = false, labels = ${TEXT_ARRAY}, state = ?, issue_updated_at = ?, updated_at = ? where community_id = ? and issue_id = ? and issue_updated_at <= ? returning *`,
      [textArray(facts.labels), facts.state, facts.updatedAt, now, communityId, facts.issueId, facts.updatedAt]);
    return rows[0] ? ticketOf(rows[0]) : undefined;
  }
  const form = parseIssueForm(facts.body);
  const values = [
    crypto.randomUUID(), communityId, instanceId, facts.issueId, facts.repository, facts.number, facts.title, facts.url, textArray(facts.labels), true,
    facts.state, facts.stateReason, facts.assignee?.id ?? null, facts.assignee?.login ?? "", input.assigneeAccountId ?? null, textArray(form.mentors),
    form.complexity ?? "", JSON.stringify(form.sections), textArray(form.problems), facts.comments, facts.updatedAt, facts.closedAt ?? null, now, now,
  ];
  await query(tx,
    `insert into ${table} (id, community_id, instance_id, issue_id, repository, number, title, url, labels, in_programme, state, state_reason,
       assignee_github_id, assignee_login, assignee_account_id, mentors, complexity, sections, problems, comments, issue_updated_at, closed_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ${TEXT_ARRAY}, ?, ?, ?, ?, ?, ?, ${TEXT_ARRAY}, ?, ?, ${TEXT_ARRAY}, ?, ?, ?, ?, ?)
     on conflict (community_id, issue_id) do update set instance_id = excluded.instance_id, repository = excluded.repository, number = excluded.number,
       title = excluded.title, url = excluded.url, labels = excluded.labels, in_programme = true, state = excluded.state, state_reason = excluded.state_reason,
       assignee_github_id = excluded.assignee_github_id, assignee_login = excluded.assignee_login, assignee_account_id = excluded.assignee_account_id,
       mentors = excluded.mentors, complexity = excluded.complexity, sections = excluded.sections, problems = excluded.problems,
       comments = excluded.comments, issue_updated_at = excluded.issue_updated_at, closed_at = excluded.closed_at, updated_at = excluded.updated_at
     where ${table}.issue_updated_at <= excluded.issue_updated_at`,
    values);
  return findTicket(tx, communityId, facts.issueId);
}

export async function findTicket(em: EntityManager, communityId: string, issueId: number): Promise<TicketRow | undefined> {
  const [row] = await query<RawTicket>(em, `select * from ${tableOf(em, TicketEntity)} where community_id = ? and issue_id = ?`, [communityId, issueId]);
  return row ? ticketOf(row) : undefined;
}

/** The programme tickets of a repository with these numbers (a pull request's linked issues). */
export async function ticketsByNumber(em: EntityManager, communityId: string, repository: string, numbers: number[]): Promise<TicketRow[]> {
  if (numbers.length === 0) return [];
  const rows = await query<RawTicket>(em,
    `select * from ${tableOf(em, TicketEntity)} where community_id = ? and lower(repository) = lower(?) and number = any(array(select jsonb_array_elements_text(?::jsonb)::int)) and in_programme`,
    [communityId, repository, JSON.stringify(numbers)]);
  return rows.map(ticketOf);
}

/** Links the assignee's account found later (they linked their GitHub account after the ticket closed). */
export async function setAssigneeAccount(em: EntityManager, ticket: TicketRow, accountId: string): Promise<void> {
  await query(em, `update ${tableOf(em, TicketEntity)} set assignee_account_id = ? where id = ? and assignee_github_id = ?`, [accountId, ticket.id, ticket.assigneeGithubId]);
}
