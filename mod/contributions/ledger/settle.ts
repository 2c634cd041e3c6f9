// What a ticket has earned, appended to the ledger: its registered assignee (and, when the programme gives
// mentors points, its registered mentors) once it is closed as completed, and — when the programme says so —
// the registered authors of merged pull requests linking to it. Who is registered was asked before the
// transaction (consumer/resolve.ts). Every credit goes through appendEntry, so
// settling a ticket again (a replayed event, a reopen/close cycle, a reconciliation run) adds nothing.
import type { EntityManager } from "../../../sys/core/db.js";
import { pointsFor, type Programme, type Role } from "../programme/defaults.js";
import { mergedPullRequestsLinking } from "../tracking/pull-requests.js";
import type { TicketRow } from "../tracking/tickets.js";
import { appendEntry, type LedgerRow } from "./entries.js";

export const ISSUE_CLOSED = "issue_closed";
export const PR_MERGED = "pr_merged";

/** A ticket counts as done when closed as completed; "not planned" earns nothing. */
export function isCompleted(ticket: TicketRow): boolean {
  return ticket.state === "closed" && ticket.stateReason !== "not_planned";
}

export async function settleTicket(tx: EntityManager, programme: Programme, ticket: TicketRow, mentorAccounts: Map<string, string> = new Map()): Promise<LedgerRow[]> {
  if (!ticket.inProgramme) return [];
  const added: LedgerRow[] = [];
  const credit = async (accountId: string, githubLogin: string, role: Role, reason: string, occurredAt: Date) => {
    const points = pointsFor(programme, role, ticket.complexity);
    // A zero-point credit would only block a later one once the admin sets the points.
    if (points <= 0) return;
    const entry = await appendEntry(tx, {
      communityId: ticket.communityId, accountId, githubLogin, role, reason, points, issueId: ticket.issueId, repository: ticket.repository,
      number: ticket.number, complexity: ticket.complexity, occurredAt,
    });
    if (entry) added.push(entry);
  };

  if (isCompleted(ticket)) {
    const closedAt = ticket.closedAt ?? ticket.issueUpdatedAt;
    if (ticket.assigneeAccountId) await credit(ticket.assigneeAccountId, ticket.assigneeLogin, "contributor", ISSUE_CLOSED, closedAt);
    for (const login of ticket.mentors) {
      const accountId = mentorAccounts.get(login.toLowerCase());
      if (accountId) await credit(accountId, login, "mentor", ISSUE_CLOSED, closedAt);
    }
  }
  if (programme.creditMergedPullRequests) {
    for (const pr of await mergedPullRequestsLinking(tx, ticket.communityId, ticket.repository, ticket.number)) {
      if (pr.authorAccountId) await credit(pr.authorAccountId, pr.authorLogin, "contributor", PR_MERGED, pr.mergedAt ?? ticket.issueUpdatedAt);
    }
  }
  return added;
}
