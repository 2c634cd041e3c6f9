// `issue-react-vote`, as Metagov's: a yes/no vote by 👍 and 👎 reactions on an issue (one the vote creates, or
// one the driver names). GitHub sends no webhook for reactions, so each update (the sweep) counts them; the
// vote ends on close, once max_votes are counted, or when the issue is closed on GitHub (counting the reactions
// made until then), with a comment giving the result.
import type { InstanceContext, JsonObject, ProcessDefinition, ProcessUpdate } from "../../sdk/define-plugin.js";
import { githubRequestFor, listAll } from "./github-client.js";
import { castBy, closedOnGitHub, finishVote, issueOutcome, openVoteIssue, voteInput, voteIssueOf, voteOutcomeSchema, type VoteIssue } from "./github-vote-issue.js";

interface Tally { yes: string[]; no: string[] }

const voters = { type: "object", properties: { users: { type: "array", items: { type: "string" } }, count: { type: "integer" } }, required: ["users", "count"] };

/** 👍 and 👎 by people (bots and apps do not vote), made by `until` when given, each list sorted by login. */
async function tally(ctx: InstanceContext, issue: VoteIssue, until?: Date): Promise<Tally> {
  const reactions = await listAll(githubRequestFor(ctx), "GET /repos/{owner}/{repo}/issues/{issue_number}/reactions", { owner: issue.owner, repo: issue.repo, issue_number: issue.issue_number });
  const yes: string[] = [], no: string[] = [];
  for (const reaction of reactions) {
    const user = (reaction.user ?? {}) as JsonObject;
    if (user.type !== "User" || !castBy(reaction, until)) continue;
    if (reaction.content === "+1") yes.push(String(user.login));
    if (reaction.content === "-1") no.push(String(user.login));
  }
  return { yes: yes.sort(), no: no.sort() };
}

function resultOf({ yes, no }: Tally): "pass" | "fail" | "tie" {
  return yes.length > no.length ? "pass" : no.length > yes.length ? "fail" : "tie";
}

function outcomeOf(issue: VoteIssue, votes: Tally, final: boolean): JsonObject {
  return {
    ...issueOutcome(issue),
    votes: { yes: { users: votes.yes, count: votes.yes.length }, no: { users: votes.no, count: votes.no.length } },
    ...(final ? { result: resultOf(votes) } : {}),
  };
}

async function finish(ctx: InstanceContext, issue: VoteIssue, votes: Tally, options: { issueClosed?: boolean } = {}): Promise<ProcessUpdate> {
  const result = resultOf(votes);
  const text = `This vote is now closed. The result was '${result}' with ${votes.yes.length} votes for and ${votes.no.length} votes against. ` +
    "You may continue commenting and reacting, but it will have no impact on the result.";
  return finishVote(ctx, issue, text, outcomeOf(issue, votes, true), options);
}

export const issueReactVote: ProcessDefinition = {
  description: "A yes/no vote on a GitHub issue by 👍 (yes) and 👎 (no) reactions; result pass, fail or tie",
  input: voteInput,
  outcome: voteOutcomeSchema({
    votes: { type: "object", properties: { yes: voters, no: voters }, required: ["yes", "no"] },
    result: { type: "string", enum: ["pass", "fail", "tie"] },
  }, ["votes"]),
  async start(ctx, process) {
    const issue = await openVoteIssue(ctx, "react", process.input);
    return { status: "pending", data: issue as unknown as JsonObject, outcome: outcomeOf(issue, { yes: [], no: [] }, false) };
  },
  async update(ctx, process) {
    const issue = voteIssueOf(process);
    const votes = await tally(ctx, issue);
    if (issue.max_votes && votes.yes.length + votes.no.length >= issue.max_votes) return finish(ctx, issue, votes);
    return { outcome: outcomeOf(issue, votes, false) };
  },
  async close(ctx, process) {
    const issue = voteIssueOf(process);
    return finish(ctx, issue, await tally(ctx, issue));
  },
  async receiveWebhook(ctx, process, delivery) {
    const issue = voteIssueOf(process);
    const closedAt = closedOnGitHub(issue, delivery);
    if (closedAt) return finish(ctx, issue, await tally(ctx, issue, closedAt), { issueClosed: true });
  },
};
