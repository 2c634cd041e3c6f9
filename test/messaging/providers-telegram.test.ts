// The telegram provider against a local Bot API: sendMessage (with a reply linked), 429 with
// parameters.retry_after and a 502 transient, chat not found and a blocked bot permanent, and updates through a
// real endpoint checked by the secret token (good, bad, missing) with reply_to_message linked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { telegramProvider } from "../../mod/messaging/services/plugins/telegram.js";
import type { ProviderDefinition } from "../../mod/messaging/services/sdk/define-provider.js";
import { type InboundEndpoint, providerHarness, startInboundEndpoint } from "../../mod/messaging/services/sdk/test-support.js";
import { createTelegramFake, type TelegramFake } from "../fakes/telegram-fake.js";

const telegram: ProviderDefinition = telegramProvider;
const BOT_TOKEN = "123456789:AAtestTokenForPolity";
const SECRET = "hook-secret_0123456789";
let fake: TelegramFake;
let endpoint: InboundEndpoint;
const config = () => ({ botToken: BOT_TOKEN, webhookSecret: SECRET, baseUrl: fake.url });

beforeAll(async () => {
  fake = await createTelegramFake({ botToken: BOT_TOKEN, webhookSecret: SECRET });
  endpoint = await startInboundEndpoint(telegram, config());
});
afterAll(async () => {
  await endpoint?.close();
  await fake?.close();
});

describe("telegram provider: sending", () => {
  it("sends to the chat and names the message chat:message_id; a reply answers the message it names", async () => {
    const first = await providerHarness(telegram, config()).send({ to: "42", subject: "Poll", text: "Vote now" });
    expect(first).toEqual({ providerMessageId: "42:1", state: "DELIVERED_SERVICE" });
    expect(fake.sent.at(-1)).toEqual({ chatId: "42", messageId: 1, text: "Poll\n\nVote now" });
    const second = await providerHarness(telegram, config()).send({ to: "42", text: "and again", inReplyTo: "42:1" });
    expect(second.providerMessageId).toBe("42:2");
    expect(fake.sent.at(-1)).toMatchObject({ replyTo: 1 });
    // A reply id from another chat is not passed on (Telegram would refuse it).
    await providerHarness(telegram, config()).send({ to: "43", text: "hello", inReplyTo: "42:1" });
    expect(fake.sent.at(-1)).toEqual({ chatId: "43", messageId: 1, text: "hello" });
  });

  it("a wrong token is permanent", async () => {
    expect(await providerHarness(telegram, { ...config(), botToken: "1:wrong" }).failure({ to: "42", text: "hi" })).toMatchObject({ transient: false, reason: "Telegram 401: Unauthorized" });
  });
});

describe("telegram provider: failures", () => {
  it("429 is transient with parameters.retry_after", async () => {
    fake.failNext(1, "rate-limit", { retryAfterSeconds: 13 });
    expect(await providerHarness(telegram, config()).failure({ to: "42", text: "hi" })).toEqual({ transient: true, retryAfterMs: 13_000, reason: "Telegram 429: Too Many Requests: retry after 13" });
  });

  it("a 502 from Telegram's front end is transient", async () => {
    fake.failNext(1, "server-error");
    expect(await providerHarness(telegram, config()).failure({ to: "42", text: "hi" })).toMatchObject({ transient: true, reason: expect.stringContaining("502") });
  });

  it("chat not found and a blocked bot are permanent", async () => {
    expect(await providerHarness(telegram, config()).failure({ to: "not-a-chat", text: "hi" })).toMatchObject({ transient: false, reason: "Telegram 400: Bad Request: chat not found" });
    fake.block(77);
    expect(await providerHarness(telegram, config()).failure({ to: "77", text: "hi" })).toMatchObject({ transient: false, reason: "Telegram 403: Forbidden: bot was blocked by the user" });
  });
});

describe("telegram provider: updates", () => {
  it("reads a reply with the secret token and links it to the message it answers", async () => {
    const update = fake.userMessage(42, "Yes, count me in", { replyTo: 1 });
    expect((await fake.sendUpdate(endpoint.url, update)).status).toBe(200);
    const messageId = (update.message as { message_id: number }).message_id;
    expect(endpoint.events.at(-1)).toEqual({ kind: "message", providerMessageId: `42:${messageId}`, from: "42", text: "Yes, count me in", inReplyTo: "42:1", receivedAt: expect.any(Date) });
  });

  it("refuses a wrong or missing secret token, and a provider without one refuses all", async () => {
    const before = endpoint.events.length;
    expect((await fake.sendUpdate(endpoint.url, fake.userMessage(42, "x"), { secret: "hook-secret_0123456788" })).status).toBe(401);
    expect((await fake.sendUpdate(endpoint.url, fake.userMessage(42, "x"), { secret: null })).status).toBe(401);
    expect(endpoint.events.length).toBe(before);
    const { webhookSecret: _, ...withoutSecret } = config();
    expect(providerHarness(telegram, withoutSecret).verify({ rawBody: Buffer.from("{}"), url: "x", headers: { "x-telegram-bot-api-secret-token": "" } })).toBe(false);
  });

  it("ignores updates that are not new messages", async () => {
    const before = endpoint.events.length;
    expect((await fake.sendUpdate(endpoint.url, { update_id: 1, edited_message: { message_id: 5, chat: { id: 42 }, text: "edit" } })).status).toBe(200);
    expect(endpoint.events.length).toBe(before);
  });
});
