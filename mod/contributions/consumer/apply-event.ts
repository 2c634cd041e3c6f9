// One GitHub event (or one issue a reconciliation listed) applied in the caller's transaction: the ticket or
// pull request it reports is stored, and whatever that makes due is credited.
import type { EntityManager } from "../../../sys/core/db.js";
import { eventOf, issueFacts, pullRequestFacts } from "../github/payloads.js";
import type { LedgerRow } from "../ledger/entries.js";
import { settleTicket } from "../ledger/settle.js";
import { loadProgramme } from "../programme/store.js";
import { recordPullRequest } from "../tracking/pull-requests.js";
import { recordIssue, ticketsByNumber } from "../tracking/tickets.js";
import type { ResolvedPeople } from "./resolve.js";

export interface GithubItem {
  communityId: string;
  instanceId: string;
  /** "<action> <event>" as the GitHub plugin names it (the "github." prefix allowed). */
  type: string;
  payload: Record<string, unknown>;
}

/** The ledger entries the item added (none for a replay). `people`: resolvePeople's answer for the item. */
export async function applyGithubItem(tx: EntityManager, item: GithubItem, people: ResolvedPeople): Promise<LedgerRow[]> {
  const { event, action } = eventOf(item.type);
  if (event === "issues" || (event === "issue_comment" && action === "created")) return applyIssue(tx, item, event, people);
  if (event === "pull_request") return applyPullRequest(tx, item, people);
  return [];
}

async function applyIssue(tx: EntityManager, item: GithubItem, event: string, people: ResolvedPeople): Promise<LedgerRow[]> {
  const issue = item.payload.issue as Record<string, unknown> | undefined;
  // GitHub reports comments on pull requests as issue comments too.
  if (event === "issue_comment" && issue?.pull_request) return [];
  const facts = issueFacts(item.payload);
  if (!facts) return [];
  const programme = await loadProgramme(tx, item.communityId);
  const ticket = await recordIssue(tx, { communityId: item.communityId, instanceId: item.instanceId, facts, programme, assigneeAccountId: people.assigneeAccountId });
  return ticket ? settleTicket(tx, programme, ticket, people.mentorAccounts) : [];
}

async function applyPullRequest(tx: EntityManager, item: GithubItem, people: ResolvedPeople): Promise<LedgerRow[]> {
  const facts = pullRequestFacts(item.payload);
  if (!facts) return [];
  const pr = await recordPullRequest(tx, { communityId: item.communityId, instanceId: item.instanceId, facts, authorAccountId: people.authorAccountId });
  if (!pr.merged) return [];
  const programme = await loadProgramme(tx, item.communityId);
  if (!programme.creditMergedPullRequests) return [];
  const added: LedgerRow[] = [];
  for (const ticket of await ticketsByNumber(tx, item.communityId, pr.repository, pr.linkedIssues)) added.push(...(await settleTicket(tx, programme, ticket)));
  return added;
}
