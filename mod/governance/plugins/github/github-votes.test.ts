// The issue votes against the local GitHub fake: people react or comment on the issue as they would on GitHub,
// and the processes count them on update, on close, at max_votes, and (comment votes) on issue_comment webhooks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject, WebhookDelivery } from "../../sdk/define-plugin.js";
import { startTracked } from "../../sdk/test-support.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";
import { createGitHubPlugin } from "./github-plugin.js";
import { examplePayload, INSTALLATIONS, startGitHubStage, type GitHubStage } from "./test-support.js";

const plugin = createGitHubPlugin();
const reactVote = plugin.processes!["issue-react-vote"]!;
const commentVote = plugin.processes!["issue-comment-vote"]!;
let stage: GitHubStage;
let receiver: HookReceiver;

beforeAll(async () => { stage = await startGitHubStage(); receiver = await createHookReceiver("/api/hooks/github"); });
afterAll(async () => { await stage.github.close(); await receiver.close(); });

const issueOf = (repo: string, number: number) => stage.github.issues.get(`octo-org/${repo}`)!.find((i) => i.number === number)!;

async function reactVoteWith(repo: string, reactions: [string, string][], input: JsonObject = {}) {
  const ctx = stage.ctx();
  const tracked = await startTracked(reactVote, ctx, { repo_name: repo, question: "Should we adopt the new logo?", ...input });
  const number = tracked.view.outcome.issue_number as number;
  for (const [login, content] of reactions) stage.github.react("octo-org", repo, number, login, content);
  return { ctx, ...tracked, number };
}

describe("issue-react-vote", () => {
  it("opens an issue as Metagov words it, counts 👍/👎 by people on update, and on close posts the result and closes the issue", async () => {
    const { ctx, view, apply, number } = await reactVoteWith("votes", [["alice", "+1"], ["bob", "+1"], ["carol", "-1"], ["dave", "heart"], ["alice", "laugh"]]);
    const issue = issueOf("votes", number);
    expect(issue.title).toBe("VOTE: Should we adopt the new logo?");
    expect(issue.body).toContain("thumbs up for yes and thumbs down for no");
    expect(view.outcome).toMatchObject({ issue_number: number, url: `https://github.com/octo-org/votes/issues/${number}`, votes: { yes: { count: 0 }, no: { count: 0 } } });
    // The app's own reaction (a Bot) is not a vote.
    await plugin.actions!.method.run(ctx, { route: "POST /repos/{owner}/{repo}/issues/{issue_number}/reactions", parameters: { repo: "votes", issue_number: number, content: "+1" } });

    apply(await reactVote.update!(ctx, view));
    expect(view.status).toBe("pending");
    expect(view.outcome.votes).toEqual({ yes: { users: ["alice", "bob"], count: 2 }, no: { users: ["carol"], count: 1 } });
    expect(view.outcome.result).toBeUndefined();

    stage.github.react("octo-org", "votes", number, "erin", "+1");
    apply(await reactVote.close!(ctx, view));
    expect(view.status).toBe("completed");
    expect(view.outcome).toMatchObject({ votes: { yes: { count: 3 }, no: { count: 1 } }, result: "pass" });
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)!.body).toContain("The result was 'pass' with 3 votes for and 1 votes against");
  });

  it("fails when 👎 outnumber 👍, ties on equal counts, and ends by itself at max_votes", async () => {
    const failing = await reactVoteWith("votes", [["alice", "-1"], ["bob", "-1"], ["carol", "+1"]]);
    failing.apply(await reactVote.close!(failing.ctx, failing.view));
    expect(failing.view.outcome.result).toBe("fail");

    const tied = await reactVoteWith("votes", [["alice", "-1"], ["bob", "+1"]]);
    tied.apply(await reactVote.close!(tied.ctx, tied.view));
    expect(tied.view.outcome.result).toBe("tie");

    const capped = await reactVoteWith("votes", [["alice", "+1"]], { max_votes: 2 });
    capped.apply(await reactVote.update!(capped.ctx, capped.view));
    expect(capped.view.status).toBe("pending");
    stage.github.react("octo-org", "votes", capped.number, "bob", "+1");
    capped.apply(await reactVote.update!(capped.ctx, capped.view));
    expect(capped.view).toMatchObject({ status: "completed", outcome: { result: "pass", votes: { yes: { count: 2 } } } });
    expect(issueOf("votes", capped.number).state).toBe("closed");
  });

  it("votes on a given issue (left open at the end), counting every page of reactions", async () => {
    const ctx = stage.ctx();
    const existing = await plugin.actions!["create-issue"]!.run(ctx, { repo: "big-vote", title: "Move the meeting to Thursdays" }) as JsonObject;
    const number = existing.number as number;
    for (let i = 0; i < 130; i++) stage.github.react("octo-org", "big-vote", number, `member-${i}`, i < 70 ? "+1" : "-1");
    const { view, apply } = await startTracked(reactVote, ctx, { repo: "big-vote", issue_number: number });
    expect(stage.github.issues.get("octo-org/big-vote")).toHaveLength(1);
    apply(await reactVote.close!(ctx, view));
    expect(view.outcome).toMatchObject({ result: "pass", votes: { yes: { count: 70 }, no: { count: 60 } } });
    expect(issueOf("big-vote", number).state).toBe("open");
  });
});

describe("issue-comment-vote", () => {
  it("counts each person's first ^^^^choice^^^^ comment, case-insensitively, never the app's own", async () => {
    const ctx = stage.ctx();
    const { view, apply } = await startTracked(commentVote, ctx, { repo_name: "votes", question: "Which day for the meetup?", help_text: "Pick a weekday." });
    const number = view.outcome.issue_number as number;
    expect(issueOf("votes", number).body).toContain("^^^^<yourvotehere>^^^^");
    stage.github.comment("octo-org", "votes", number, "alice", "I think ^^^^Tuesday^^^^ works best");
    stage.github.comment("octo-org", "votes", number, "bob", "^^^^ tuesday ^^^^");
    stage.github.comment("octo-org", "votes", number, "carol", "^^^^Friday^^^^");
    stage.github.comment("octo-org", "votes", number, "alice", "actually ^^^^Friday^^^^");
    stage.github.comment("octo-org", "votes", number, "dave", "no opinion");
    await plugin.actions!.method.run(ctx, { route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", parameters: { repo: "votes", issue_number: number, body: "^^^^friday^^^^" } });
    apply(await commentVote.update!(ctx, view));
    expect(view.outcome).toMatchObject({ votes: { tuesday: 2, friday: 1 }, voters: ["alice", "bob", "carol", "dave"] });
    apply(await commentVote.close!(ctx, view));
    expect(view.status).toBe("completed");
    const issue = issueOf("votes", number);
    expect(issue.state).toBe("closed");
    expect(issue.comments.at(-1)!.body).toContain("tuesday: 2\nfriday: 1");
  });

  it("recounts on an issue_comment webhook for its issue (a real delivery) and ends at max_votes", async () => {
    const ctx = stage.ctx();
    const { view, apply } = await startTracked(commentVote, ctx, { repo: "votes", question: "Rename the project?", max_votes: 2 });
    const number = view.outcome.issue_number as number;
    const deliver = async (payload: JsonObject): Promise<WebhookDelivery> => {
      await stage.github.sendWebhook(receiver.url, "issue_comment", payload);
      return receiver.received.at(-1)!;
    };
    const payload = examplePayload("issue_comment", "created", { installationId: INSTALLATIONS[0].id });
    (payload.issue as JsonObject).number = number;
    (payload.repository as JsonObject).full_name = "octo-org/votes";

    stage.github.comment("octo-org", "votes", number, "alice", "^^^^yes^^^^");
    const otherRepo = structuredClone(payload);
    (otherRepo.repository as JsonObject).full_name = "octo-org/elsewhere";
    expect(await commentVote.receiveWebhook!(ctx, view, await deliver(otherRepo))).toBeUndefined();
    apply(await commentVote.receiveWebhook!(ctx, view, await deliver(payload)));
    expect(view).toMatchObject({ status: "pending", outcome: { votes: { yes: 1 } } });

    stage.github.comment("octo-org", "votes", number, "bob", "^^^^no^^^^");
    apply(await commentVote.receiveWebhook!(ctx, view, await deliver(payload)));
    expect(view).toMatchObject({ status: "completed", outcome: { votes: { yes: 1, no: 1 }, voters: ["alice", "bob"] } });
    expect(issueOf("votes", number).state).toBe("closed");
  });
});
