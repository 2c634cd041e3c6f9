// The webhook provider through the safe outbound fetch to a local receiver: signed JSON with Idempotency-Key
// (the same on a resend, so the receiver counts one message), 429 with Retry-After and 5xx transient, other 4xx
// and a private destination permanent, and signed replies/reports through a real endpoint (good, bad, missing).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSafeFetch, type SafeFetch } from "../../sys/core/outbound/safe-fetch.js";
import { webhookProvider } from "../../mod/messaging/services/plugins/webhook.js";
import type { ProviderDefinition } from "../../mod/messaging/services/sdk/define-provider.js";
import { type InboundEndpoint, providerHarness, startInboundEndpoint } from "../../mod/messaging/services/sdk/test-support.js";
import { createWebhookReceiverFake, type WebhookReceiverFake } from "../fakes/webhook-receiver-fake.js";

const webhook: ProviderDefinition = webhookProvider;
const SECRET = "webhook-secret-0123456789abcdef";
let receiver: WebhookReceiverFake;
let endpoint: InboundEndpoint;
let safeFetch: SafeFetch;
const harness = (config: Record<string, string | number> = {}) => providerHarness(webhook, { secret: SECRET, ...config }, { fetch: safeFetch as typeof fetch });

beforeAll(async () => {
  receiver = await createWebhookReceiverFake({ secret: SECRET });
  endpoint = await startInboundEndpoint(webhook, { secret: SECRET });
  safeFetch = createSafeFetch({ allowPrivate: true });
});
afterAll(async () => {
  await safeFetch?.close();
  await endpoint?.close();
  await receiver?.close();
});

describe("webhook provider: sending", () => {
  it("posts signed JSON with the idempotency key; a resend is counted once", async () => {
    const message = { messageId: "m-1", idempotencyKey: "m-1:p-1", to: receiver.url, subject: "Poll", text: "Vote", html: "<p>Vote</p>", unsubscribeUrl: "https://polity.example/u/1" };
    expect(await harness().send(message)).toEqual({ providerMessageId: "m-1", state: "SENT" });
    await harness().send(message);
    expect(receiver.counts.get("m-1:p-1")).toBe(2);
    expect(receiver.duplicates()).toEqual([["m-1:p-1", 2]]);
    expect(receiver.deliveries.at(-1)!.body).toEqual({ type: "message", id: "m-1", idempotencyKey: "m-1:p-1", to: receiver.url, subject: "Poll", text: "Vote", html: "<p>Vote</p>", unsubscribeUrl: "https://polity.example/u/1" });
  });

  it("sends to the configured URL with the contact's address in `to`", async () => {
    await harness({ url: `${receiver.url}/hook` }).send({ to: "member-17", text: "hi", idempotencyKey: "k-conf" });
    expect(receiver.deliveries.at(-1)!.body).toMatchObject({ to: "member-17", text: "hi" });
  });

  it("a receiver that checks another secret refuses: permanent", async () => {
    expect(await harness({ secret: "another-secret-0123456789" }).failure({ to: receiver.url, text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("HTTP 401") });
  });
});

describe("webhook provider: failures", () => {
  it("429 is transient with the receiver's Retry-After", async () => {
    receiver.failNext(1, { status: 429, retryAfterSeconds: 4 });
    expect(await harness().failure({ to: receiver.url, text: "hi" })).toMatchObject({ transient: true, retryAfterMs: 4000, reason: expect.stringContaining("HTTP 429") });
  });

  it("5xx and an unreachable receiver are transient", async () => {
    receiver.failNext(1, { status: 503 });
    expect(await harness().failure({ to: receiver.url, text: "hi" })).toMatchObject({ transient: true, reason: expect.stringContaining("HTTP 503") });
    expect(await harness().failure({ to: "http://127.0.0.1:9/", text: "hi" })).toMatchObject({ transient: true });
  });

  it("other 4xx, a non-URL address and a private destination are permanent", async () => {
    receiver.failNext(1, { status: 410, body: { error: "gone" } });
    expect(await harness().failure({ to: receiver.url, text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("HTTP 410") });
    expect(await harness().failure({ to: "mailto:x@example.org", text: "hi" })).toMatchObject({ transient: false });
    const strict = createSafeFetch({ allowPrivate: false });
    try {
      const failure = await providerHarness(webhook, { secret: SECRET }, { fetch: strict as typeof fetch }).failure({ to: receiver.url, text: "hi" });
      expect(failure).toMatchObject({ transient: false, reason: expect.stringContaining("refused") });
    } finally {
      await strict.close();
    }
  });
});

describe("webhook provider: replies and reports", () => {
  it("reads signed replies and reports, one or many per request", async () => {
    expect((await receiver.report(endpoint.url, { type: "message", id: "r-1", from: receiver.url, text: "yes", inReplyTo: "m-1", receivedAt: "2026-12-01T09:00:00Z" })).status).toBe(200);
    expect((await receiver.report(endpoint.url, { events: [{ type: "status", id: "m-1", state: "delivered" }, { type: "status", id: "m-1", state: "read" }] })).status).toBe(200);
    expect((await receiver.report(endpoint.url, [{ type: "status", id: "m-2", state: "failed", reason: "no such member" }])).status).toBe(200);
    expect(endpoint.events).toEqual([
      { kind: "message", providerMessageId: "r-1", from: receiver.url, text: "yes", inReplyTo: "m-1", receivedAt: new Date("2026-12-01T09:00:00Z") },
      { kind: "status", providerMessageId: "m-1", state: "DELIVERED_USER" },
      { kind: "status", providerMessageId: "m-1", state: "READ" },
      { kind: "status", providerMessageId: "m-2", state: "FAILED", reason: "no such member" },
    ]);
  });

  it("refuses a bad or missing signature, and reports it cannot read", async () => {
    const before = endpoint.events.length;
    expect((await receiver.report(endpoint.url, { type: "status", id: "m-1", state: "read" }, { secret: "not-the-secret-0123456" })).status).toBe(401);
    expect((await receiver.report(endpoint.url, { type: "status", id: "m-1", state: "read" }, { secret: null })).status).toBe(401);
    expect((await receiver.report(endpoint.url, { type: "status", id: "m-1", state: "teleported" })).status).toBe(400);
    expect((await receiver.report(endpoint.url, { type: "message", id: "r-2", text: "no sender" })).status).toBe(400);
    expect(endpoint.events.length).toBe(before);
  });
});
