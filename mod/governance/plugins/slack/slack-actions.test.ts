// The Slack actions against a local Slack (test/fakes/slack-fake.ts) speaking Slack's Web API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedAgainst, pluginErrorOf, testInstanceContext } from "../../sdk/test-support.js";
import { createSlackFake, type SlackFake } from "../../../../test/fakes/slack-fake.js";
import { createSlackPlugin } from "./slack-plugin.js";

const plugin = createSlackPlugin();
let slack: SlackFake;

beforeAll(async () => { slack = await createSlackFake({ botToken: "xoxb-1-right" }); });
afterAll(async () => { await slack.close(); });

function context(botToken = "xoxb-1-right") {
  return testInstanceContext(plugin, { config: { bot_token: botToken, signing_secret: "a-signing-secret", team_id: slack.teamId, api_url: slack.url } });
}

async function run(action: string, parameters: Record<string, unknown>, ctx = context()) {
  const definition = plugin.actions![action]!;
  return definition.run(ctx, checkedAgainst(definition.input, parameters as never)) as Promise<Record<string, unknown>>;
}

describe("slack actions", () => {
  it("post-message posts in a channel with chat.postMessage, blocks passed on, the bot token as Bearer", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Agenda*" } }];
    const answer = await run("post-message", { channel: "C0GENERAL", text: "The agenda for Friday", blocks });
    expect(answer).toMatchObject({ channel: "C0GENERAL", ts: expect.stringMatching(/^\d+\.\d+$/), message: { text: "The agenda for Friday" } });
    expect(answer.ok).toBeUndefined();
    expect(slack.messages.get(`C0GENERAL:${String(answer.ts)}`)).toMatchObject({ text: "The agenda for Friday", blocks, user: slack.botUserId });
  });

  it("post-message to users opens a conversation with them first (conversations.open), as Metagov", async () => {
    const answer = await run("post-message", { users: ["U0ALICE", "U0BOB"], text: "A word with you both" });
    expect(slack.calls.slice(-2).map((call) => call.method)).toEqual(["conversations.open", "chat.postMessage"]);
    expect(slack.calls.at(-2)!.args.users).toBe("U0ALICE,U0BOB");
    expect(String(answer.channel)).toMatch(/^G0OPENED/);
    await expect(run("post-message", { text: "to nobody" })).rejects.toMatchObject({ pluginError: "invalid_input" });
    await expect(run("post-message", { channel: "C0GENERAL", text: "x", token: "xoxb-other" })).rejects.toMatchObject({ pluginError: "invalid_input" });
  });

  it("method calls any Web API method with its arguments, and Slack's refusals become platform errors", async () => {
    const posted = await run("post-message", { channel: "C0GENERAL", text: "Pin me" });
    expect(await run("method", { method_name: "reactions.add", channel: "C0GENERAL", timestamp: posted.ts, name: "tada" })).toEqual({});
    expect(slack.messages.get(`C0GENERAL:${String(posted.ts)}`)!.reactions).toEqual([{ name: "tada", users: [slack.botUserId] }]);
    expect(await run("method", { method_name: "auth.test" })).toMatchObject({ team_id: slack.teamId, user_id: slack.botUserId });
    expect(await pluginErrorOf(run("method", { method_name: "reactions.add", channel: "C0GENERAL", timestamp: posted.ts, name: "tada" }))).toEqual({ kind: "platform", message: "Slack reactions.add answered 200: already_reacted" });
    expect((await pluginErrorOf(run("method", { method_name: "pins.nothing" }))).message).toContain("unknown_method");
    expect((await pluginErrorOf(run("post-message", { channel: "not a channel", text: "x" }))).message).toContain("channel_not_found");
  });

  it("a method name that is not one (a path) is refused by the schema", () => {
    expect(() => checkedAgainst(plugin.actions!.method!.input, { method_name: "../admin" })).toThrow(/method_name/);
  });

  it("a wrong bot token is Slack's invalid_auth", async () => {
    expect(await pluginErrorOf(run("post-message", { channel: "C0GENERAL", text: "hello" }, context("xoxb-1-wrong")))).toEqual({ kind: "platform", message: "Slack chat.postMessage answered 200: invalid_auth" });
  });

  it("Slack's rate limit (429 with Retry-After) is a platform error saying when to retry", async () => {
    slack.rateLimit("chat.postMessage", 30);
    const refused = run("post-message", { channel: "C0GENERAL", text: "too fast" });
    await expect(refused).rejects.toMatchObject({ pluginError: "platform", message: "Slack chat.postMessage is rate limited (429); retry after 30 s", retryAfterSeconds: 30 });
    expect(await run("post-message", { channel: "C0GENERAL", text: "later" })).toMatchObject({ channel: "C0GENERAL" });
  });

  it("an unreachable Slack is a platform error", async () => {
    const ctx = testInstanceContext(plugin, { config: { bot_token: "xoxb-1-right", signing_secret: "s", team_id: "T0X", api_url: "http://127.0.0.1:1" } });
    expect((await pluginErrorOf(run("method", { method_name: "auth.test" }, ctx))).kind).toBe("platform");
  });

  it("the config needs bot_token, signing_secret and team_id; api_url defaults to Slack's; secrets are writeOnly", () => {
    expect(() => testInstanceContext(plugin, { config: { bot_token: "xoxb-1", signing_secret: "s" } })).toThrow(/team_id: required/);
    expect(() => testInstanceContext(plugin, { config: { bot_token: "not-a-token", signing_secret: "s", team_id: "T0X" } })).toThrow(/bot_token/);
    expect(testInstanceContext(plugin, { config: { bot_token: "xoxb-1", signing_secret: "s", team_id: "T0X" } }).config.api_url).toBe("https://slack.com/api");
    const properties = plugin.config.properties as Record<string, { writeOnly?: boolean }>;
    expect([properties.bot_token!.writeOnly, properties.signing_secret!.writeOnly, properties.team_id!.writeOnly]).toEqual([true, true, undefined]);
  });
});
