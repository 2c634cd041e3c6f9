// What the two issue votes share: the issue they run on (created with Metagov's wording, or one the driver
// names), and how they end: a comment with the result, and the issue closed when the vote created it, or the
// issue closed on GitHub (an issues.closed delivery), which ends the vote with what was cast until then.
import { invalidInput, type InstanceContext, type JsonObject, type ProcessUpdate, type ProcessView, type WebhookDelivery } from "../../sdk/define-plugin.js";
import { createIssue, repositoryOf, repositoryProperties } from "./github-actions.js";
import { githubRequestFor } from "./github-client.js";

/** Saved in the process's data: where the vote runs and whose comments are the app's own. */
export interface VoteIssue {
  owner: string;
  repo: string;
  issue_number: number;
  url: string;
  /** The app's bot user (the issue's author when the vote created it); its comments never count. */
  bot_id: number | null;
  created_issue: boolean;
  max_votes: number | null;
}

export const voteInput: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...repositoryProperties,
    question: { type: "string", minLength: 1, maxLength: 200 },
    help_text: { type: "string", maxLength: 10000 },
    max_votes: { type: "integer", minimum: 1, description: "the vote ends once this many votes are counted" },
    track_progress: { type: "string", description: "accepted for Metagov compatibility; not used" },
    issue_number: { type: "integer", minimum: 1, description: "vote on this existing issue instead of creating one (it is left open at the end)" },
  },
  anyOf: [{ required: ["question"] }, { required: ["issue_number"] }],
};

/** Metagov's issue text for a react or comment vote. */
function issueText(kind: "react" | "comment", input: JsonObject): { title: string; body: string } {
  const question = String(input.question);
  const maxVotes = input.max_votes ? ` This vote will end when there are ${String(input.max_votes)} total votes.` : "";
  const help = input.help_text ? `Additional guidance: ${String(input.help_text)}\n\n` : "";
  const how = kind === "react"
    ? "This is a react vote issue. Please vote on the question below, using thumbs up for yes and thumbs down for no. Other reactions will not be counted."
    : "This is a comment vote issue. Please vote on the question below by leaving a comment with the text `^^^^<yourvotehere>^^^^`. " +
      "You can add any additional commentary you like. \n\nPlease note that your vote will not be case sensitive, but spelling _does_ matter. " +
      "If you try to vote multiple times, only your first vote will be counted. You may edit your vote as long as the vote is still open.";
  return { title: `VOTE: ${question}`, body: `${how}${maxVotes}\n\n${help}QUESTION: ${question}` };
}

export async function openVoteIssue(ctx: InstanceContext, kind: "react" | "comment", input: JsonObject): Promise<VoteIssue> {
  const { owner, repo } = repositoryOf(ctx, input);
  const maxVotes = typeof input.max_votes === "number" ? input.max_votes : null;
  if (typeof input.issue_number === "number") {
    const issue = (await githubRequestFor(ctx)("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: input.issue_number })) as JsonObject;
    if (issue.state !== "open") throw invalidInput(`issue_number: issue #${input.issue_number} is not open`);
    return { owner, repo, issue_number: issue.number as number, url: String(issue.html_url ?? ""), bot_id: null, created_issue: false, max_votes: maxVotes };
  }
  const issue = await createIssue(ctx, { owner, repo, ...issueText(kind, input) });
  const author = (issue.user ?? {}) as JsonObject;
  return { owner, repo, issue_number: issue.number as number, url: String(issue.html_url ?? ""), bot_id: typeof author.id === "number" ? author.id : null, created_issue: true, max_votes: maxVotes };
}

export function voteIssueOf(process: ProcessView): VoteIssue {
  return process.data as unknown as VoteIssue;
}

/**
 * Posts the result on the issue and closes it when the vote opened it (unless it was closed on GitHub, which
 * is what ended the vote); the process is then completed.
 */
export async function finishVote(ctx: InstanceContext, issue: VoteIssue, resultText: string, outcome: JsonObject, options: { issueClosed?: boolean } = {}): Promise<ProcessUpdate> {
  const request = githubRequestFor(ctx);
  const where = { owner: issue.owner, repo: issue.repo, issue_number: issue.issue_number };
  await request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...where, body: resultText });
  if (issue.created_issue && !options.issueClosed) await request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...where, state: "closed" });
  return { status: "completed", outcome };
}

/** Whether a delivery is about the vote's own issue (same repository and number). */
export function isVoteIssue(issue: VoteIssue, body: JsonObject): boolean {
  const onIssue = (body.issue ?? {}) as JsonObject;
  const repository = (body.repository ?? {}) as JsonObject;
  return onIssue.number === issue.issue_number && String(repository.full_name).toLowerCase() === `${issue.owner}/${issue.repo}`.toLowerCase();
}

/**
 * When the delivery is the vote's issue being closed on GitHub, the moment it was closed (votes cast later do not
 * count); otherwise undefined. The app closing the issue it opened is the vote's own ending (finishVote), not a
 * reason to end it again: that delivery, sent by the app's bot, is ignored.
 */
export function closedOnGitHub(issue: VoteIssue, delivery: WebhookDelivery): Date | undefined {
  const body = (delivery.body ?? {}) as JsonObject;
  if (delivery.headers["x-github-event"] !== "issues" || body.action !== "closed" || !isVoteIssue(issue, body)) return undefined;
  const sender = (body.sender ?? {}) as JsonObject;
  if (issue.bot_id !== null && sender.id === issue.bot_id) return undefined;
  const closedAt = Date.parse(String(((body.issue ?? {}) as JsonObject).closed_at));
  return Number.isNaN(closedAt) ? new Date() : new Date(closedAt);
}

/** Whether something GitHub stamped `created_at` happened by `until` (always, without a bound). */
export function castBy(item: JsonObject, until: Date | undefined): boolean {
  if (!until) return true;
  const at = Date.parse(String(item.created_at));
  return Number.isNaN(at) || at <= until.getTime();
}

/** The vote's own fields of the outcome, shown from the start. */
export function issueOutcome(issue: VoteIssue): JsonObject {
  return { issue_number: issue.issue_number, url: issue.url };
}

/** A vote's outcome schema: the issue's own fields, then the vote's tally fields. */
export function voteOutcomeSchema(tallyProperties: JsonObject, tallyRequired: string[]): JsonObject {
  return {
    type: "object",
    properties: { issue_number: { type: "integer" }, url: { type: "string" }, ...tallyProperties },
    required: ["issue_number", ...tallyRequired],
  };
}
