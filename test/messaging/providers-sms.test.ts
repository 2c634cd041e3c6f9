// The sms provider against a local Twilio-shaped gateway: messages queued with Basic auth and a status callback,
// 429 (Retry-After honoured) and 5xx transient, invalid numbers permanent, and status callbacks and inbound texts
// through a real endpoint, signed with X-Twilio-Signature (good, bad, missing) and answered with empty TwiML.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smsProvider } from "../../mod/messaging/services/plugins/sms.js";
import { twilioSignature } from "../../mod/messaging/services/plugins/sms-twilio.js";
import type { ProviderDefinition } from "../../mod/messaging/services/sdk/define-provider.js";
import { type InboundEndpoint, providerHarness, startInboundEndpoint } from "../../mod/messaging/services/sdk/test-support.js";
import { createSmsGatewayFake, signTwilio, type SmsGatewayFake } from "../fakes/sms-gateway-fake.js";

const sms: ProviderDefinition = smsProvider;
let gateway: SmsGatewayFake;
let endpoint: InboundEndpoint;

const config = () => ({ baseUrl: gateway.url, accountSid: gateway.accountSid, authToken: gateway.authToken, from: "+15005550006" });

beforeAll(async () => {
  gateway = await createSmsGatewayFake();
  endpoint = await startInboundEndpoint(sms, config());
});
afterAll(async () => {
  await endpoint?.close();
  await gateway?.close();
});

describe("sms provider: sending", () => {
  it("queues the text with its status callback and returns the message sid", async () => {
    const result = await providerHarness(sms, config()).send({ to: "+447700900123", subject: "Poll", text: "Vote now", statusCallbackUrl: `${endpoint.url}?provider=p1` });
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM/), state: "SENT" });
    const record = gateway.messages.at(-1)!;
    expect(record).toMatchObject({ sid: result.providerMessageId, to: "+447700900123", from: "+15005550006", body: "Poll\n\nVote now", statusCallback: `${endpoint.url}?provider=p1` });
  });

  it("sends through a messaging service when one is configured", async () => {
    await providerHarness(sms, { ...config(), messagingServiceSid: "MG0123" }).send({ to: "+447700900124", text: "hi" });
    expect(gateway.messages.at(-1)).toMatchObject({ messagingServiceSid: "MG0123", from: undefined });
  });

  it("a wrong auth token is permanent", async () => {
    const failure = await providerHarness(sms, { ...config(), authToken: "wrong" }).failure({ to: "+447700900123", text: "hi" });
    expect(failure).toMatchObject({ transient: false, reason: expect.stringContaining("20003") });
  });
});

describe("sms provider: failures", () => {
  it("429 is transient and carries the gateway's Retry-After", async () => {
    gateway.failNext(1, "rate-limit", { retryAfterSeconds: 7 });
    expect(await providerHarness(sms, config()).failure({ to: "+447700900123", text: "hi" })).toEqual({ transient: true, retryAfterMs: 7000, reason: expect.stringContaining("429") });
  });

  it("500 is transient; the next attempt goes through", async () => {
    gateway.failNext(1, "server-error");
    const failure = await providerHarness(sms, config()).failure({ to: "+447700900123", text: "hi" });
    expect(failure.transient).toBe(true);
    expect(failure.reason).toContain("500");
    expect((await providerHarness(sms, config()).send({ to: "+447700900123", text: "hi" })).state).toBe("SENT");
  });

  it("an invalid number (21211) or a landline (21614) is permanent", async () => {
    expect(await providerHarness(sms, config()).failure({ to: "12345", text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("21211") });
    gateway.rejectNumber("+442071838750", 21614);
    expect(await providerHarness(sms, config()).failure({ to: "+442071838750", text: "hi" })).toMatchObject({ transient: false, reason: expect.stringContaining("21614") });
  });

  it("a gateway that is down is transient", async () => {
    expect(await providerHarness(sms, { ...config(), baseUrl: "http://127.0.0.1:9" }).failure({ to: "+447700900123", text: "hi" })).toMatchObject({ transient: true });
  });
});

describe("sms provider: webhooks", () => {
  it("parses signed status callbacks: sent, delivered, undelivered with its error code; answers empty TwiML", async () => {
    const { providerMessageId } = await providerHarness(sms, config()).send({ to: "+447700900125", text: "hi", statusCallbackUrl: `${endpoint.url}?provider=p1` });
    const first = await gateway.report(providerMessageId, "sent");
    expect(first.status).toBe(200);
    expect(first.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await gateway.report(providerMessageId, "queued");
    await gateway.report(providerMessageId, "delivered");
    await gateway.report(providerMessageId, "undelivered", { errorCode: 30005 });
    expect(endpoint.events.filter((e) => e.providerMessageId === providerMessageId)).toEqual([
      { kind: "status", providerMessageId, state: "DELIVERED_SERVICE" },
      { kind: "status", providerMessageId, state: "DELIVERED_USER" },
      { kind: "status", providerMessageId, state: "FAILED", reason: "Twilio error 30005" },
    ]);
  });

  it("parses a signed inbound text", async () => {
    const answer = await gateway.sendInbound(endpoint.url, { from: "+447700900125", body: "STOP", sid: "SMinbound1" });
    expect(answer.status).toBe(200);
    expect(endpoint.events.at(-1)).toEqual({ kind: "message", providerMessageId: "SMinbound1", from: "+447700900125", text: "STOP" });
  });

  it("refuses a bad or missing signature", async () => {
    const before = endpoint.events.length;
    expect((await gateway.sendInbound(endpoint.url, { from: "+447700900125", body: "hi" }, { token: "not-the-token" })).status).toBe(401);
    expect((await gateway.sendInbound(endpoint.url, { from: "+447700900125", body: "hi" }, { token: null })).status).toBe(401);
    expect(endpoint.events.length).toBe(before);
  });

  it("signs as Twilio's documentation example does", () => {
    // Twilio's published signature-validation snippet (TwilioDevEd/api-snippets): its URL, parameters and signature.
    const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const params = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };
    expect(twilioSignature("12345", url, new URLSearchParams(params))).toBe(signTwilio("12345", url, params));
    expect(twilioSignature("12345", url, new URLSearchParams(params))).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });
});
