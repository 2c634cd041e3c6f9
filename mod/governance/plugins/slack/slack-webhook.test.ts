// Slack's requests as Slack sends them (signed by the local fake, over HTTP): the v0 signature over the raw
// bytes with its five-minute window, the url_verification handshake, delivery and platform ids, and events.
import { describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../../sdk/define-plugin.js";
import { testInstanceContext } from "../../sdk/test-support.js";
import type { SlackFake } from "../../../../test/fakes/slack-fake.js";
import { useSlackStage } from "./test-support.js";
import { createSlackPlugin } from "./slack-plugin.js";

const plugin = createSlackPlugin();
const webhook = plugin.webhook!;
const secret = "8f742231b10e8888abcd99yyyzzz85a5";
const stage = useSlackStage(secret);

const ctx = () => testInstanceContext(plugin, { config: { bot_token: "xoxb-1-right", signing_secret: secret, team_id: stage.slack.teamId, bot_user_id: stage.slack.botUserId, api_url: stage.slack.url }, platformId: stage.slack.teamId });

async function delivered(body: Record<string, unknown>, options?: Parameters<SlackFake["sendEvent"]>[2]): Promise<WebhookDelivery> {
  await stage.slack.sendEvent(stage.receiver.url, body, options);
  return stage.receiver.received.at(-1)!;
}

const message = { type: "message", channel: "C0GENERAL", user: "U0ALICE", text: "Shall we meet on Friday?", ts: "1700000001.000100" };

describe("slack webhooks", () => {
  it("accepts Slack's v0 signature, and refuses a wrong, missing or stale one, or one over other bytes", async () => {
    const config = ctx().config;
    const good = await delivered(stage.slack.eventCallback(message));
    expect(good.headers["x-slack-signature"]).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(await webhook.verify(good, config)).toBe(true);
    expect(await webhook.verify(await delivered(stage.slack.eventCallback(message), { secret: "another-signing-secret" }), config)).toBe(false);
    const unsigned = await delivered(stage.slack.eventCallback(message), { secret: null });
    expect(unsigned.headers["x-slack-signature"]).toBeUndefined();
    expect(await webhook.verify(unsigned, config)).toBe(false);
    const now = Math.floor(Date.now() / 1000);
    expect(await webhook.verify(await delivered(stage.slack.eventCallback(message), { timestamp: now - 6 * 60 }), config)).toBe(false);
    expect(await webhook.verify(await delivered(stage.slack.eventCallback(message), { timestamp: now + 6 * 60 }), config)).toBe(false);
    expect(await webhook.verify(await delivered(stage.slack.eventCallback(message), { timestamp: now - 4 * 60 }), config)).toBe(true);
    expect(await webhook.verify({ ...good, rawBody: Buffer.from(good.rawBody.toString("utf8").replace("Friday", "Monday")) }, config)).toBe(false);
    // The timestamp is signed too: moving it into the window does not make an old signature good.
    expect(await webhook.verify({ ...good, headers: { ...good.headers, "x-slack-request-timestamp": String(now + 1) } }, config)).toBe(false);
    expect(await webhook.verify(good, { ...config, signing_secret: "" })).toBe(false);
  });

  it("answers url_verification with its challenge, once verified, and leaves ordinary deliveries to the module", async () => {
    const challenge = await delivered({ token: "Jhj5dZrVaK7ZwHHjRyZWjbDl", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    expect(await webhook.verify(challenge, ctx().config)).toBe(true);
    expect(webhook.handshake!(challenge)).toEqual({ status: 200, body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" } });
    expect(webhook.platformId!(challenge)).toBeUndefined();
    expect(webhook.handshake!(await delivered(stage.slack.eventCallback(message)))).toBeUndefined();
  });

  it("takes the delivery id from event_id (repeated by Slack's retries) and the platform id from team_id, JSON or form", async () => {
    const first = await delivered(stage.slack.eventCallback(message));
    const retried = await delivered(stage.slack.eventCallback(message, { eventId: (first.body as { event_id: string }).event_id }));
    expect(webhook.deliveryId!(first)).toMatch(/^Ev0\d+TEST$/);
    expect(webhook.deliveryId!(retried)).toBe(webhook.deliveryId!(first));
    expect(webhook.deliveryId!(await delivered(stage.slack.eventCallback(message)))).not.toBe(webhook.deliveryId!(first));
    expect(webhook.platformId!(first)).toBe(stage.slack.teamId);
    const click = await delivered({ type: "block_actions", team: { id: stage.slack.teamId, domain: "polity-test" }, user: { id: "U0ALICE" }, actions: [{ action_id: "cast_vote", value: "yes" }] }, { form: true });
    expect(click.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(await webhook.verify(click, ctx().config)).toBe(true);
    expect(webhook.platformId!(click)).toBe(stage.slack.teamId);
    expect(webhook.deliveryId!(click)).toBeUndefined();
  });

  it("passes every event on under Slack's event type, with the user as initiator (the bot marked), as Metagov", async () => {
    expect(await webhook.handle(ctx(), await delivered(stage.slack.eventCallback(message)))).toEqual([{
      type: "message",
      data: { channel: "C0GENERAL", text: "Shall we meet on Friday?", ts: "1700000001.000100", event_ts: expect.any(String) },
      initiator: { user_id: "U0ALICE", provider: "slack", is_metagov_bot: false },
    }]);
    const [joined] = (await webhook.handle(ctx(), await delivered(stage.slack.eventCallback({ type: "member_joined_channel", user: stage.slack.botUserId, channel: "C0GENERAL" }))))!;
    expect(joined).toMatchObject({ type: "member_joined_channel", initiator: { user_id: stage.slack.botUserId, is_metagov_bot: true } });
    const [emoji] = (await webhook.handle(ctx(), await delivered(stage.slack.eventCallback({ type: "emoji_changed", subtype: "add", name: "polity" }))))!;
    expect(emoji).toMatchObject({ type: "emoji_changed", data: { subtype: "add", name: "polity" }, initiator: { user_id: null } });
  });

  it("ignores handshakes, interactivity, and events of another workspace signed by the same app", async () => {
    expect(await webhook.handle(ctx(), await delivered({ type: "url_verification", challenge: "abc" }))).toEqual([]);
    expect(await webhook.handle(ctx(), await delivered({ type: "block_actions", team: { id: stage.slack.teamId }, actions: [] }, { form: true }))).toEqual([]);
    expect(await webhook.handle(ctx(), await delivered(stage.slack.eventCallback(message, { teamId: "T0ELSEWHERE" })))).toEqual([]);
  });
});
