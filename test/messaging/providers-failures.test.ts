// The provider SDK's failure classes (what the delivery loop retries and what moves it down the chain), its
// Retry-After reading, and the registry of shipped kinds.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { apiError } from "../../sys/core/errors.js";
import { secretFields } from "../../mod/governance/index.js";
import { createProviderRegistry, createShippedProviders } from "../../mod/messaging/services/registry.js";
import { classifyFailure, defineProvider, permanentFailure, transientFailure } from "../../mod/messaging/services/sdk/define-provider.js";
import { failureFromResponse, parseRetryAfter, readJsonBody } from "../../mod/messaging/services/sdk/http.js";
import { checkedConfig } from "../../mod/messaging/services/sdk/test-support.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";

describe("classifyFailure", () => {
  it("keeps explicit classes and their Retry-After", () => {
    expect(classifyFailure(transientFailure("busy", { retryAfterMs: 1500.4 }))).toEqual({ transient: true, reason: "busy", retryAfterMs: 1500 });
    expect(classifyFailure(transientFailure("busy"))).toEqual({ transient: true, reason: "busy" });
    expect(classifyFailure(permanentFailure("invalid number"))).toEqual({ transient: false, reason: "invalid number" });
  });

  it("SMTP replies: 4xx transient, 5xx permanent", () => {
    expect(classifyFailure(Object.assign(new Error("451 try later"), { responseCode: 451 })).transient).toBe(true);
    expect(classifyFailure(Object.assign(new Error("550 no such user"), { responseCode: 550 })).transient).toBe(false);
  });

  it("timeouts, aborts and network errors are transient, with the cause in the reason", () => {
    expect(classifyFailure(new DOMException("timed out", "TimeoutError")).transient).toBe(true);
    expect(classifyFailure(new DOMException("aborted", "AbortError")).transient).toBe(true);
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    expect(classifyFailure(refused)).toEqual({ transient: true, reason: "fetch failed: connect ECONNREFUSED 127.0.0.1:9" });
    expect(classifyFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })).transient).toBe(true);
  });

  it("HTTP statuses on an error: 429/5xx transient, other 4xx permanent; a refused destination permanent", () => {
    expect(classifyFailure(Object.assign(new Error("x"), { status: 429 })).transient).toBe(true);
    expect(classifyFailure(Object.assign(new Error("x"), { status: 502 })).transient).toBe(true);
    expect(classifyFailure(Object.assign(new Error("x"), { status: 404 })).transient).toBe(false);
    expect(classifyFailure(apiError(Code.PermissionDenied, "DESTINATION_NOT_ALLOWED", "outbound request to 10.0.0.1 refused")).transient).toBe(false);
  });

  it("anything else is transient (the retry budget decides)", () => {
    expect(classifyFailure(new Error("surprise")).transient).toBe(true);
    expect(classifyFailure("a string")).toEqual({ transient: true, reason: "a string" });
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates, ignores garbage, caps at a day", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("9999999", now)).toBe(24 * 3600_000);
  });

  it("failureFromResponse: 429 and 5xx transient with Retry-After, other 4xx permanent", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    const at = (status: number, headers: Record<string, string> = {}) => classifyFailure(failureFromResponse(new Response("", { status, headers }), "detail", { now }));
    expect(at(429, { "retry-after": "Mon, 30 Nov 2026 12:01:00 GMT" })).toEqual({ transient: true, retryAfterMs: 60_000, reason: "HTTP 429: detail" });
    expect(at(503, { "retry-after": "5" })).toMatchObject({ transient: true, retryAfterMs: 5000 });
    expect(at(500)).toEqual({ transient: true, reason: "HTTP 500: detail" });
    expect(at(400).transient).toBe(false);
    expect(at(403).transient).toBe(false);
    expect(classifyFailure(failureFromResponse(new Response("", { status: 429, headers: { "retry-after": "1" } }), "", { retryAfterMs: 7000 })).retryAfterMs).toBe(7000);
  });
});

describe("provider answers", () => {
  it("are read as JSON when they are JSON and small; an error page or an endless body is not", async () => {
    expect(await readJsonBody(new Response('{"ok":true}'))).toEqual({ ok: true });
    expect(await readJsonBody(new Response("<html>502</html>"))).toBeUndefined();
    expect(await readJsonBody(new Response(null, { status: 204 }))).toBeUndefined();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({ pull: (controller) => { pulled++; controller.enqueue(new Uint8Array(64 * 1024).fill(0x20)); } });
    expect(await readJsonBody(new Response(endless))).toBeUndefined();
    expect(pulled).toBeLessThan(40);
  });
});

describe("registry", () => {
  it("ships email, sms, telegram, webhook, slack and discord, each with a compiling schema and secrets", () => {
    const registry = createProviderRegistry(createShippedProviders());
    expect(registry.list().map((d) => d.kind)).toEqual(["email", "sms", "telegram", "webhook", "slack", "discord"]);
    expect(registry.get("sms")!.channel).toBe(Channel.SMS);
    expect(registry.get("nope")).toBeUndefined();
    for (const definition of registry.list()) {
      expect(secretFields(definition.configSchema).length, definition.kind).toBeGreaterThan(0);
      expect(definition.defaultRatePerSecond, definition.kind).toBeGreaterThan(0);
    }
    expect(registry.list().filter((d) => d.inbound).map((d) => d.kind)).toEqual(["email", "sms", "telegram", "webhook", "slack"]);
  });

  it("fills defaults and refuses unknown fields", () => {
    const sms = createProviderRegistry(createShippedProviders()).get("sms")!;
    expect(checkedConfig(sms, { accountSid: "AC1", authToken: "t", from: "+15005550006" })).toEqual({ accountSid: "AC1", authToken: "t", from: "+15005550006", baseUrl: "https://api.twilio.com" });
    expect(() => checkedConfig(sms, { accountSid: "AC1", authToken: "t", from: "+1", colour: "red" })).toThrow(/unknown field colour/);
  });

  it("refuses duplicate kinds, bad names and schemas that do not compile", () => {
    const def = (kind: string, configSchema: object = { type: "object" }) => defineProvider({ kind, channel: Channel.WEBHOOK, description: "", configSchema: configSchema as never, send: async () => ({ providerMessageId: "x" }) });
    expect(() => createProviderRegistry([def("a"), def("a")])).toThrow(/twice/);
    expect(() => createProviderRegistry([def("Bad Kind")])).toThrow(/lower-case/);
    expect(() => createProviderRegistry([def("broken", { type: "no-such-type" })])).toThrow(/invalid config schema/);
  });
});
