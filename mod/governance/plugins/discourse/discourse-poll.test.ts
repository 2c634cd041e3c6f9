// The Discourse poll process against a local Discourse: the [poll] post, votes read by update, completion when
// Discourse closes the poll, and CloseProcess through PUT /polls/toggle_status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../sdk/define-plugin.js";
import { checkedAgainst, processViewOf, startTracked, testInstanceContext, type TrackedView } from "../../sdk/test-support.js";
import { createDiscourseFake, type DiscourseFake } from "../../../../test/fakes/discourse-fake.js";
import { createDiscoursePlugin } from "./discourse-plugin.js";
import { pollPostRaw } from "./discourse-poll.js";

const plugin = createDiscoursePlugin();
const poll = plugin.processes!.poll!;
let discourse: DiscourseFake;

beforeAll(async () => { discourse = await createDiscourseFake({ apiKey: "right-key" }); });
afterAll(async () => { await discourse.close(); });

const ctx = () => testInstanceContext(plugin, { config: { server_url: discourse.url, api_key: "right-key", webhook_secret: "a-long-webhook-secret" } });

/** Starts a poll and returns a view that the test keeps up to date the way the module would. */
const started = (input: JsonObject) => startTracked(poll, ctx(), input);

const statusOf = (view: TrackedView) => view.status;

describe("discourse poll", () => {
  it("start posts a [poll] in a new topic; update reads the votes; it completes once Discourse closes the poll", async () => {
    const { view, apply } = await started({ title: "Which date suits the assembly?", options: ["May 3", "May 10", "May 17"], details: "Pick the date that suits you best.", category: 8, closing_at: "2030-04-22" });
    const post = discourse.posts.get(view.data.post_id as number)!;
    expect(post.raw).toContain("[poll type=regular close=2030-04-22T00:00:00.000Z]");
    expect(post.polls[0]!.options.map((option) => option.html)).toEqual(["May 3", "May 10", "May 17"]);
    expect(discourse.topics.get(post.topic_id)!.title).toBe("Which date suits the assembly?");
    expect(view.outcome).toEqual({ poll_url: `${discourse.url}/t/which-date-suits-the-assembly/${post.topic_id}/1` });

    discourse.vote(post.id, "alice", ["May 10"]);
    discourse.vote(post.id, "bob", ["May 10"]);
    discourse.vote(post.id, "carol", ["May 17"]);
    const pendingUpdate = await poll.update!(ctx(), view);
    apply(pendingUpdate);
    expect(pendingUpdate?.status).toBeUndefined();
    expect(view.outcome.votes).toEqual({ "May 3": 0, "May 10": 2, "May 17": 1 });

    discourse.setPollStatus(post.id, "closed");
    apply(await poll.update!(ctx(), view));
    expect(statusOf(view)).toBe("completed");
    expect(view.outcome).toEqual({ poll_url: expect.stringMatching(/\/t\/which-date-suits-the-assembly\/\d+\/1$/), votes: { "May 3": 0, "May 10": 2, "May 17": 1 } });
  });

  it("close toggles the poll to closed on Discourse and its outcome is final", async () => {
    const topic = await plugin.actions!["create-topic"]!.run(ctx(), { title: "Open questions for the board", raw: "Anything you want the board to answer?", category: 1 }) as { topic_id: number };
    const { view, apply } = await started({ title: "Should we adopt the new bylaws?", options: ["yes", "no"], topic_id: topic.topic_id });
    const post = discourse.posts.get(view.data.post_id as number)!;
    expect(post.topic_id).toBe(topic.topic_id);
    discourse.vote(post.id, "alice", ["yes"]);
    apply(await poll.close!(ctx(), view));
    expect(statusOf(view)).toBe("completed");
    expect(view.outcome.votes).toEqual({ yes: 1, no: 0 });
    expect(post.polls[0]!.status).toBe("closed");
    expect(discourse.requests.at(-1)).toEqual({ method: "PUT", path: "/polls/toggle_status" });
  });

  it("hidden results (results=on_close) leave the counts out until the poll closes", async () => {
    const { view, apply } = await started({ title: "Secret ballot on the chair person", options: ["Ana", "Ben"], results: "on_close", category: 8 });
    discourse.vote(view.data.post_id as number, "alice", ["Ana"]);
    apply(await poll.update!(ctx(), view));
    expect(view.outcome.votes).toEqual({});
    apply(await poll.close!(ctx(), view));
    expect(view.outcome.votes).toEqual({ Ana: 1, Ben: 0 });
  });

  it("the [poll] markup carries Metagov's options", () => {
    const input = checkedAgainst(poll.input, { title: "Rate it", poll_type: "number", min: 1, max: 10, step: 1, public: true, chart_type: "pie", groups: ["staff", "members"], results: "always" });
    expect(pollPostRaw(input)).toBe("[poll type=number groups=staff,members public=true chartType=pie min=1 max=10 step=1 results=always]\n# Rate it\n[/poll]\n");
  });

  it("bad input the schema cannot catch is invalid_input and nothing is posted", async () => {
    const before = discourse.posts.size;
    const inputs: JsonObject[] = [{ title: "No options given here", category: 8 }, { title: "A single option poll", options: ["only"], category: 8 }, { title: "Bad closing time here", options: ["a", "b"], closing_at: "someday" }, { title: "Option with a newline", options: ["a\n[/poll]", "b"] }];
    for (const input of inputs) {
      await expect(poll.start(ctx(), processViewOf(poll, input, { id: "p" }))).rejects.toMatchObject({ pluginError: "invalid_input" });
    }
    expect(discourse.posts.size).toBe(before);
  });

  it("a start Discourse refuses is a platform error", async () => {
    await expect(poll.start(ctx(), processViewOf(poll, { title: "Short", options: ["a", "b"], category: 8 }, { id: "p" })))
      .rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("Title is too short") });
  });
});
