// Reconciliation: the programme's labelled issues listed from GitHub and replayed through the same path as
// webhook events (applyGithubItem), so a missed webhook is healed and nothing is credited twice; then closed
// tickets whose assignee (or mentors) had no linked account are looked at again, so a contributor who links
// their GitHub account after the ticket closed is credited at the next run.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { applyGithubItem } from "../consumer/apply-event.js";
import { mentorAccountsOf, resolvePeople } from "../consumer/resolve.js";
import { accountOfGithubUser, type ContributionsDeps } from "../deps.js";
import { PullRequestEntity, TicketEntity } from "../entities.js";
import { settleTicket } from "../ledger/settle.js";
import { mentorsEarn } from "../programme/defaults.js";
import { loadProgramme, markReconciled } from "../programme/store.js";
import { type RawTicket, setAssigneeAccount, ticketOf } from "../tracking/tickets.js";
import { installationRepositories, labelledIssues } from "./list-issues.js";

export interface ReconcileCounts {
  repositories: number;
  issues: number;
  credited: number;
}

export interface InstanceRef {
  communityId: string;
  instanceId: string;
}

/** Lists and replays one instance's labelled issues (updated since `since`, or all). `onProgress` extends a lease. */
export async function reconcileInstance(deps: ContributionsDeps, ref: InstanceRef, since?: Date, onProgress: () => Promise<void> = async () => {}): Promise<ReconcileCounts> {
  const { communityId, instanceId } = ref;
  const programme = await loadProgramme(deps.db.em(), communityId);
  const repositories = await repositoriesOf(deps, ref);
  const counts: ReconcileCounts = { repositories: repositories.length, issues: 0, credited: 0 };
  for (const repository of repositories) {
    await onProgress();
    const seen = new Set<number>();
    for (const label of programme.labels) {
      for (const issue of await labelledIssues(deps, communityId, instanceId, repository, label, since)) {
        if (seen.has(Number(issue.id))) continue;
        seen.add(Number(issue.id));
        const type = issue.state === "closed" ? "closed issues" : "edited issues";
        const item = { communityId, instanceId, type, payload: { action: type.split(" ")[0]!, issue, repository: { full_name: repository } } };
        const people = await resolvePeople(deps, item);
        const added = await deps.db.em().transactional((tx) => applyGithubItem(tx as EntityManager, item, people));
        counts.issues++;
        counts.credited += added.length;
      }
    }
  }
  counts.credited += await resettleUncredited(deps, communityId);
  await markReconciled(deps.db.em(), communityId);
  return counts;
}

/** The repositories the installation sees, plus any this community's tickets came from. */
async function repositoriesOf(deps: ContributionsDeps, ref: InstanceRef): Promise<string[]> {
  const em = deps.db.em();
  const known = await query<{ repository: string }>(em,
    `select repository from ${tableOf(em, TicketEntity)} where instance_id = ? union select repository from ${tableOf(em, PullRequestEntity)} where instance_id = ?`,
    [ref.instanceId, ref.instanceId]);
  let listed: string[] = [];
  try {
    listed = await installationRepositories(deps, ref.communityId, ref.instanceId);
  } catch (error) {
    // An app without the repository listing permission still heals the repositories it has sent webhooks from.
    deps.logger.warn({ err: error, instance: ref.instanceId }, "contributions: could not list the installation's repositories");
  }
  const byLower = new Map([...listed, ...known.map((r) => r.repository)].map((name) => [name.toLowerCase(), name]));
  return [...byLower.values()].sort();
}

/** Closed programme tickets whose assignee had no account, or whose mentors may earn points, settled again. */
export async function resettleUncredited(deps: ContributionsDeps, communityId: string): Promise<number> {
  const em = deps.db.em();
  const programme = await loadProgramme(em, communityId);
  const rows = await query<RawTicket>(em,
    `select * from ${tableOf(em, TicketEntity)} where community_id = ? and in_programme and state = 'closed'
       and ((assignee_github_id is not null and assignee_account_id is null) or (? and cardinality(mentors) > 0))`,
    [communityId, mentorsEarn(programme)]);
  let credited = 0;
  for (const ticket of rows.map(ticketOf)) {
    const accountId = ticket.assigneeAccountId ?? (await accountOfGithubUser(deps, ticket.assigneeGithubId));
    const mentorAccounts = await mentorAccountsOf(deps, programme, communityId, ticket.instanceId, ticket.mentors);
    credited += await deps.db.em().transactional(async (tx) => {
      if (accountId && !ticket.assigneeAccountId) await setAssigneeAccount(tx as EntityManager, ticket, accountId);
      return (await settleTicket(tx as EntityManager, programme, { ...ticket, assigneeAccountId: accountId }, mentorAccounts)).length;
    });
  }
  return credited;
}

/** Every GitHub instance of the community, now, listing everything (the admin's Reconcile). */
export async function reconcileCommunity(deps: ContributionsDeps, communityId: string): Promise<ReconcileCounts> {
  const instances = (await deps.governance().instancesOf("github")).filter((i) => i.communityId === communityId);
  const total: ReconcileCounts = { repositories: 0, issues: 0, credited: 0 };
  for (const instance of instances) {
    const counts = await reconcileInstance(deps, { communityId, instanceId: instance.instanceId });
    total.repositories += counts.repositories;
    total.issues += counts.issues;
    total.credited += counts.credited;
  }
  if (instances.length === 0) total.credited += await resettleUncredited(deps, communityId);
  return total;
}
