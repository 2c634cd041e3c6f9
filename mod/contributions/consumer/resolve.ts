// Who the people of a GitHub item are in Polity, asked before the item's transaction opens: the identity port
// and GitHub (a mentor's id by login) are calls to elsewhere, and a transaction must not wait on them (on the
// embedded database it holds the only session, which the governance action run would need).
import { accountOfGithubUser, type ContributionsDeps, githubIdOfLogin } from "../deps.js";
import { parseIssueForm } from "../forms/issue-form.js";
import { eventOf, issueFacts, pullRequestFacts } from "../github/payloads.js";
import { mentorsEarn, type Programme } from "../programme/defaults.js";
import { loadProgramme } from "../programme/store.js";
import type { GithubItem } from "./apply-event.js";

export interface ResolvedPeople {
  assigneeAccountId?: string;
  authorAccountId?: string;
  /** Mentor login (lower case) → account, for the mentors who have one. */
  mentorAccounts: Map<string, string>;
}

export async function resolvePeople(deps: ContributionsDeps, item: GithubItem): Promise<ResolvedPeople> {
  const { event } = eventOf(item.type);
  if (event === "pull_request") return { authorAccountId: await accountOfGithubUser(deps, pullRequestFacts(item.payload)?.author?.id), mentorAccounts: new Map() };
  const facts = issueFacts(item.payload);
  if (!facts) return { mentorAccounts: new Map() };
  const programme = await loadProgramme(deps.db.em(), item.communityId);
  const mentors = facts.state === "closed" ? parseIssueForm(facts.body).mentors : [];
  return {
    assigneeAccountId: await accountOfGithubUser(deps, facts.assignee?.id),
    mentorAccounts: await mentorAccountsOf(deps, programme, item.communityId, item.instanceId, mentors),
  };
}

/** Only when the programme gives mentors points: otherwise nobody needs asking. */
export async function mentorAccountsOf(deps: ContributionsDeps, programme: Programme, communityId: string, instanceId: string, logins: string[]): Promise<Map<string, string>> {
  const accounts = new Map<string, string>();
  if (!mentorsEarn(programme)) return accounts;
  for (const login of logins) {
    const accountId = await accountOfGithubUser(deps, await githubIdOfLogin(deps, communityId, instanceId, login));
    if (accountId) accounts.set(login.toLowerCase(), accountId);
  }
  return accounts;
}
