// `issue-comment-vote`, as Metagov's: people vote by commenting `^^^^<choice>^^^^` on the issue. Each person's
// first comment is their vote (edits count, later comments do not), case-insensitive; the app's own comments
// never count. Recounted on every issue_comment webhook for the issue and on each sweep; it ends on close, once
// max_votes are counted, or when the issue is closed on GitHub (counting the comments made until then), with a
// comment giving the result.
import type { InstanceContext, JsonObject, ProcessDefinition, ProcessUpdate } from "../../sdk/define-plugin.js";
import { githubRequestFor, listAll } from "./github-client.js";
import { castBy, closedOnGitHub, finishVote, isVoteIssue, issueOutcome, openVoteIssue, voteInput, voteIssueOf, voteOutcomeSchema, type VoteIssue } from "./github-vote-issue.js";

const MARK = "^^^^";

interface Tally { voters: string[]; votes: Record<string, number> }

/** Each person's first comment made by `until` (when given); an edit made later still shows, as GitHub keeps no history we could read. */
async function tally(ctx: InstanceContext, issue: VoteIssue, until?: Date): Promise<Tally> {
  const comments = await listAll(githubRequestFor(ctx), "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: issue.owner, repo: issue.repo, issue_number: issue.issue_number });
  const voters: string[] = [];
  const votes: Record<string, number> = {};
  for (const comment of comments) {
    const user = (comment.user ?? {}) as JsonObject;
    const login = String(user.login);
    if (user.id === issue.bot_id || user.type !== "User" || voters.includes(login) || !castBy(comment, until)) continue;
    voters.push(login);
    const parts = String(comment.body ?? "").split(MARK);
    if (parts.length < 3) continue;
    const choice = parts[1].trim().toLowerCase();
    if (choice) votes[choice] = (votes[choice] ?? 0) + 1;
  }
  return { voters, votes };
}

const counted = (tallied: Tally) => Object.values(tallied.votes).reduce((sum, n) => sum + n, 0);

function outcomeOf(issue: VoteIssue, tallied: Tally): JsonObject {
  return { ...issueOutcome(issue), votes: tallied.votes, voters: tallied.voters };
}

async function finish(ctx: InstanceContext, issue: VoteIssue, tallied: Tally, options: { issueClosed?: boolean } = {}): Promise<ProcessUpdate> {
  const lines = Object.entries(tallied.votes).sort((a, b) => b[1] - a[1]).map(([choice, n]) => `${choice}: ${n}\n`).join("");
  const text = `This vote is now closed. You may continue commenting, but it will not affect the result.\n\nThe result was:\n\n${lines}\n` +
    `People voting: ${tallied.voters.join(", ")}`;
  return finishVote(ctx, issue, text, outcomeOf(issue, tallied), options);
}

async function recount(ctx: InstanceContext, issue: VoteIssue): Promise<ProcessUpdate> {
  const tallied = await tally(ctx, issue);
  if (issue.max_votes && counted(tallied) >= issue.max_votes) return finish(ctx, issue, tallied);
  return { outcome: outcomeOf(issue, tallied) };
}

export const issueCommentVote: ProcessDefinition = {
  description: "A vote on a GitHub issue by comments of the form ^^^^choice^^^^ (each person's first comment counts)",
  input: voteInput,
  outcome: voteOutcomeSchema({
    votes: { type: "object", additionalProperties: { type: "integer" }, description: "choice (lower-cased) → number of votes" },
    voters: { type: "array", items: { type: "string" } },
  }, ["votes", "voters"]),
  async start(ctx, process) {
    const issue = await openVoteIssue(ctx, "comment", process.input);
    return { status: "pending", data: issue as unknown as JsonObject, outcome: outcomeOf(issue, { voters: [], votes: {} }) };
  },
  update: (ctx, process) => recount(ctx, voteIssueOf(process)),
  async close(ctx, process) {
    const issue = voteIssueOf(process);
    return finish(ctx, issue, await tally(ctx, issue));
  },
  async receiveWebhook(ctx, process, delivery) {
    const issue = voteIssueOf(process);
    const closedAt = closedOnGitHub(issue, delivery);
    if (closedAt) return finish(ctx, issue, await tally(ctx, issue, closedAt), { issueClosed: true });
    const body = (delivery.body ?? {}) as JsonObject;
    const sender = (body.sender ?? {}) as JsonObject;
    if (delivery.headers["x-github-event"] !== "issue_comment" || !["created", "edited", "deleted"].includes(String(body.action))) return;
    if (!isVoteIssue(issue, body) || sender.id === issue.bot_id) return;
    return recount(ctx, issue);
  },
};
