// The slack and discord providers against the local Slack and Discord fakes: posts to channels and direct
// messages to users (the conversation opened once), replies threaded, 429 with Retry-After/retry_after and 5xx
// transient, and the platforms' refusals (channel_not_found, user_not_found, 50007, bad tokens) permanent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discordProvider } from "../../mod/messaging/services/plugins/discord.js";
import { slackProvider } from "../../mod/messaging/services/plugins/slack.js";
import type { ProviderDefinition } from "../../mod/messaging/services/sdk/define-provider.js";
import { type InboundEndpoint, providerHarness, startInboundEndpoint } from "../../mod/messaging/services/sdk/test-support.js";
import { createDiscordFake, type DiscordFake } from "../fakes/discord-fake.js";
import { createSlackFake, type SlackFake } from "../fakes/slack-fake.js";

const slackDef: ProviderDefinition = slackProvider;
const discordDef: ProviderDefinition = discordProvider;
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
let slack: SlackFake;
let discord: DiscordFake;
let slackEndpoint: InboundEndpoint;

beforeAll(async () => {
  slack = await createSlackFake({ botToken: "xoxb-1-messaging", signingSecret: SIGNING_SECRET });
  slackEndpoint = await startInboundEndpoint(slackDef, { botToken: "xoxb-1-messaging", signingSecret: SIGNING_SECRET, baseUrl: slack.url });
  discord = await createDiscordFake({ botToken: "discord-messaging-token" });
});
afterAll(async () => {
  await slackEndpoint?.close();
  await slack?.close();
  await discord?.close();
});

describe("slack provider", () => {
  const harness = (token = "xoxb-1-messaging") => providerHarness(slackDef, { botToken: token, baseUrl: slack.url });

  it("posts to a channel, escaped, and threads a reply under the message it answers", async () => {
    const first = await harness().send({ to: "C0GENERAL", subject: "Poll", text: "Vote <now> & here" });
    expect(first).toEqual({ providerMessageId: expect.stringMatching(/^C0GENERAL:\d+\.\d+$/), state: "DELIVERED_SERVICE" });
    const ts = first.providerMessageId.split(":")[1]!;
    expect(slack.messages.get(`C0GENERAL:${ts}`)!.text).toBe("*Poll*\nVote &lt;now&gt; &amp; here");
    await harness().send({ to: "C0GENERAL", text: "follow-up", inReplyTo: first.providerMessageId });
    expect(slack.calls.at(-1)).toMatchObject({ method: "chat.postMessage", args: { channel: "C0GENERAL", thread_ts: ts } });
  });

  it("messages a user in a direct conversation, opened once", async () => {
    const before = slack.calls.filter((c) => c.method === "conversations.open").length;
    const a = await harness().send({ to: "U0ALICE", text: "hi" });
    const b = await harness().send({ to: "U0ALICE", text: "again" });
    expect(a.providerMessageId.split(":")[0]).toMatch(/^D0OPENED/);
    expect(b.providerMessageId.split(":")[0]).toBe(a.providerMessageId.split(":")[0]);
    expect(slack.calls.filter((c) => c.method === "conversations.open").length).toBe(before + 1);
  });

  it("429 is transient with Retry-After; a 503 is transient", async () => {
    slack.rateLimit("chat.postMessage", 9);
    expect(await harness().failure({ to: "C0GENERAL", text: "hi" })).toMatchObject({ transient: true, retryAfterMs: 9000, reason: expect.stringContaining("429") });
    slack.failNext("chat.postMessage", 503);
    expect(await harness().failure({ to: "C0GENERAL", text: "hi" })).toMatchObject({ transient: true, reason: expect.stringContaining("503") });
  });

  it("channel_not_found, user_not_found and a bad token are permanent", async () => {
    expect(await harness().failure({ to: "not-a-channel", text: "hi" })).toEqual({ transient: false, reason: "Slack chat.postMessage: channel_not_found" });
    slack.missingUser("U0GONE");
    expect(await harness().failure({ to: "U0GONE", text: "hi" })).toEqual({ transient: false, reason: "Slack conversations.open: user_not_found" });
    expect(await harness("xoxb-wrong").failure({ to: "C0GENERAL", text: "hi" })).toEqual({ transient: false, reason: "Slack chat.postMessage: invalid_auth" });
  });
});

describe("slack provider: Events API", () => {
  it("echoes the url_verification challenge", async () => {
    const answer = await slack.sendEvent(slackEndpoint.url, { token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    expect(answer).toEqual({ status: 200, body: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("reads a direct message and a threaded reply; ignores edits and the bot's own posts", async () => {
    await slack.sendEvent(slackEndpoint.url, slack.eventCallback({ type: "message", channel: "D0OPENED1", user: "U0ALICE", text: "count me in", ts: "1700000100.000200", channel_type: "im" }));
    await slack.sendEvent(slackEndpoint.url, slack.eventCallback({ type: "message", channel: "D0OPENED1", user: "U0ALICE", text: "in thread", ts: "1700000101.000300", thread_ts: "1700000000.000100", channel_type: "im" }));
    await slack.sendEvent(slackEndpoint.url, slack.eventCallback({ type: "message", subtype: "message_changed", channel: "D0OPENED1", ts: "1700000102.000100" }));
    await slack.sendEvent(slackEndpoint.url, slack.eventCallback({ type: "message", channel: "D0OPENED1", user: slack.botUserId, bot_id: "B0POLITYBOT", text: "ours", ts: "1700000103.000100" }));
    expect(slackEndpoint.events).toEqual([
      { kind: "message", providerMessageId: "D0OPENED1:1700000100.000200", from: "U0ALICE", text: "count me in", receivedAt: new Date(1700000100000.2) },
      { kind: "message", providerMessageId: "D0OPENED1:1700000101.000300", from: "U0ALICE", text: "in thread", inReplyTo: "D0OPENED1:1700000000.000100", receivedAt: new Date(1700000101000.3) },
    ]);
  });

  it("refuses a bad, missing or stale signature, and a provider without a signing secret refuses all", async () => {
    const event = slack.eventCallback({ type: "message", channel: "D0OPENED1", user: "U0ALICE", text: "x", ts: "1700000200.000100" });
    expect((await slack.sendEvent(slackEndpoint.url, event, { secret: "another-secret" })).status).toBe(401);
    expect((await slack.sendEvent(slackEndpoint.url, event, { secret: null })).status).toBe(401);
    expect((await slack.sendEvent(slackEndpoint.url, event, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(providerHarness(slackDef, { botToken: "x" }).verify({ rawBody: Buffer.from("{}"), url: "", headers: { "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)), "x-slack-signature": "v0=00" } })).toBe(false);
    expect(slackEndpoint.events.some((e) => e.providerMessageId.endsWith("1700000200.000100"))).toBe(false);
  });
});

describe("discord provider", () => {
  const harness = (extra: Record<string, string> = {}) => providerHarness(discordDef, { botToken: "discord-messaging-token", baseUrl: discord.url, ...extra });
  const USER = "1300000000000000042";

  it("sends a user a direct message through the DM channel, opened once; a reply references the answered message", async () => {
    const first = await harness().send({ to: USER, subject: "Poll", text: "Vote now" });
    const channel = discord.dmChannels.get(USER)!;
    expect(first).toEqual({ providerMessageId: expect.stringMatching(new RegExp(`^${channel}:\\d+$`)), state: "DELIVERED_SERVICE" });
    expect(discord.messages.get(first.providerMessageId.split(":")[1]!)!.content).toBe("**Poll**\nVote now");
    await harness().send({ to: USER, text: "again", inReplyTo: first.providerMessageId });
    expect(discord.requests.filter((r) => r.path === "/users/@me/channels")).toHaveLength(1);
    expect(discord.requests.at(-1)).toMatchObject({ path: `/channels/${channel}/messages`, authorization: "Bot discord-messaging-token" });
  });

  it("posts to a channel when set to channels", async () => {
    const result = await harness({ recipients: "channels" }).send({ to: "1400000000000000001", text: "announcement" });
    expect(result.providerMessageId).toMatch(/^1400000000000000001:\d+$/);
  });

  it("429 is transient with retry_after; a 502 is transient", async () => {
    discord.rateLimit("/channels/1400000000000000001/messages", 2.5);
    expect(await harness({ recipients: "channels" }).failure({ to: "1400000000000000001", text: "hi" })).toMatchObject({ transient: true, retryAfterMs: 2500 });
    discord.failNext("/channels/1400000000000000001/messages", 502);
    expect(await harness({ recipients: "channels" }).failure({ to: "1400000000000000001", text: "hi" })).toMatchObject({ transient: true, reason: expect.stringContaining("502") });
  });

  it("a user who closed DMs (50007), an invalid user and a bad token are permanent", async () => {
    discord.closeDms("1300000000000000077");
    expect(await harness().failure({ to: "1300000000000000077", text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("50007") });
    expect(await harness().failure({ to: "not-a-user", text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("50035") });
    expect(await harness({ botToken: "wrong" }).failure({ to: "1300000000000000078", text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("401") });
  });
});
