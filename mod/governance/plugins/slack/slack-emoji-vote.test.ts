// The emoji-vote process against a local Slack: the message and its ballot reactions, eligible voters' reactions
// counted (never the bot's), recounted on a reaction webhook, on update and on close, and Slack's refusals.
import { describe, expect, it } from "vitest";
import { pluginErrorOf, startTracked, testInstanceContext } from "../../sdk/test-support.js";
import { useSlackStage } from "./test-support.js";
import { createSlackPlugin } from "./slack-plugin.js";

const plugin = createSlackPlugin();
const vote = plugin.processes!["emoji-vote"]!;
const secret = "a-slack-signing-secret";
const stage = useSlackStage(secret);

const ctx = () => testInstanceContext(plugin, { config: { bot_token: "xoxb-1-right", signing_secret: secret, team_id: stage.slack.teamId, api_url: stage.slack.url } });

describe("slack emoji-vote", () => {
  it("a boolean vote posts Metagov's message with 👍/👎 ballots and counts eligible voters' reactions on update", async () => {
    const { view, apply } = await startTracked(vote, ctx(), { title: "Adopt the new budget?", details: "See the sheet.", poll_type: "boolean", channel: "C0GENERAL", eligible_voters: ["U0ALICE", "U0BOB", "U0CAROL"], ineligible_voters: ["U0CAROL"] });
    const ts = view.outcome.message_ts as string;
    expect(view.outcome).toEqual({ votes: { yes: { users: [], count: 0 }, no: { users: [], count: 0 } }, channel: "C0GENERAL", message_ts: ts, url: `https://polity-test.slack.com/archives/C0GENERAL/p${ts.replace(".", "")}` });
    const message = stage.slack.messages.get(`C0GENERAL:${ts}`)!;
    expect(message.text).toBe("*Adopt the new budget?*\nSee the sheet.\n:+1: Approve\n:-1: Reject");
    expect(message.reactions).toEqual([{ name: "+1", users: [stage.slack.botUserId] }, { name: "-1", users: [stage.slack.botUserId] }]);

    stage.slack.react("C0GENERAL", ts, "U0ALICE", "+1");
    stage.slack.react("C0GENERAL", ts, "U0BOB", "-1::skin-tone-3");
    stage.slack.react("C0GENERAL", ts, "U0CAROL", "+1"); // ineligible
    stage.slack.react("C0GENERAL", ts, "U0MALLORY", "+1"); // not an eligible voter
    stage.slack.react("C0GENERAL", ts, "U0ALICE", "tada"); // not a ballot
    apply(await vote.update!(ctx(), view));
    expect(view.outcome.votes).toEqual({ yes: { users: ["U0ALICE"], count: 1 }, no: { users: ["U0BOB"], count: 1 } });
    expect(view.status).toBe("pending");
  });

  it("a choice vote uses the emoji family; without eligible voters everyone but the bot counts; close ends it", async () => {
    const { view, apply } = await startTracked(vote, ctx(), { title: "Where do we meet?", poll_type: "choice", options: ["Library", "Park", "Cafe"], emoji_family: "flowers", channel: "C0GENERAL" });
    const ts = view.outcome.message_ts as string;
    expect(stage.slack.messages.get(`C0GENERAL:${ts}`)!.reactions.map((reaction) => reaction.name)).toEqual(["tulip", "sunflower", "cherry_blossom"]);
    stage.slack.react("C0GENERAL", ts, "U0ALICE", "sunflower");
    stage.slack.react("C0GENERAL", ts, "U0BOB", "sunflower");
    stage.slack.react("C0GENERAL", ts, "U0CAROL", "tulip");
    apply(await vote.close!(ctx(), view));
    expect(view.status).toBe("completed");
    expect(view.outcome.votes).toEqual({ Library: { users: ["U0CAROL"], count: 1 }, Park: { users: ["U0ALICE", "U0BOB"], count: 2 }, Cafe: { users: [], count: 0 } });
    expect(stage.slack.messages.get(`C0GENERAL:${ts}`)!.text).toBe("*Where do we meet?*\n:tulip: Library   `1`\n:sunflower: Park   `2`\n:cherry_blossom: Cafe   `0`\n_Voting is closed._");
  });

  it("a reaction event for the vote's message recounts at once; other messages' reactions are ignored", async () => {
    const { view, apply } = await startTracked(vote, ctx(), { title: "Extend the deadline?", poll_type: "boolean", eligible_voters: ["U0ALICE", "U0BOB"] });
    expect(String(view.outcome.channel)).toMatch(/^G0OPENED/); // a group conversation with the eligible voters
    const channel = view.outcome.channel as string, ts = view.outcome.message_ts as string;
    stage.slack.react(channel, ts, "U0BOB", "-1");
    await stage.slack.sendEvent(stage.receiver.url, stage.slack.eventCallback({ type: "reaction_added", user: "U0BOB", reaction: "-1", item: { type: "message", channel, ts } }));
    apply(await vote.receiveWebhook!(ctx(), view, stage.receiver.received.at(-1)!));
    expect(view.outcome.votes).toEqual({ yes: { users: [], count: 0 }, no: { users: ["U0BOB"], count: 1 } });
    stage.slack.unreact(channel, ts, "U0BOB", "-1");
    await stage.slack.sendEvent(stage.receiver.url, stage.slack.eventCallback({ type: "reaction_removed", user: "U0BOB", reaction: "-1", item: { type: "message", channel, ts } }));
    apply(await vote.receiveWebhook!(ctx(), view, stage.receiver.received.at(-1)!));
    expect((view.outcome.votes as Record<string, { count: number }>).no!.count).toBe(0);
    await stage.slack.sendEvent(stage.receiver.url, stage.slack.eventCallback({ type: "reaction_added", user: "U0BOB", reaction: "-1", item: { type: "message", channel, ts: "1.000001" } }));
    expect(await vote.receiveWebhook!(ctx(), view, stage.receiver.received.at(-1)!)).toBeUndefined();
  });

  it("refuses bad input, and Slack's rate limit while counting is a platform error", async () => {
    await expect(startTracked(vote, ctx(), { title: "Nowhere", poll_type: "boolean" })).rejects.toMatchObject({ pluginError: "invalid_input" });
    await expect(startTracked(vote, ctx(), { title: "One", poll_type: "choice", options: ["Only"], channel: "C0GENERAL" })).rejects.toMatchObject({ pluginError: "invalid_input" });
    const many = Array.from({ length: 11 }, (_, index) => `Option ${index}`);
    await expect(startTracked(vote, ctx(), { title: "Many", poll_type: "choice", options: many, channel: "C0GENERAL" })).rejects.toMatchObject({ pluginError: "invalid_input", message: expect.stringContaining("at most 10") });
    const { view } = await startTracked(vote, ctx(), { title: "Rate limited?", poll_type: "boolean", channel: "C0GENERAL" });
    stage.slack.rateLimit("reactions.get", 5);
    expect(await pluginErrorOf(vote.update!(ctx(), view))).toEqual({ kind: "platform", message: "Slack reactions.get is rate limited (429); retry after 5 s" });
  });
});
