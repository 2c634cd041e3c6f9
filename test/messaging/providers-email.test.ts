// The email provider against a real local SMTP server (smtp-server): accepted mails with their headers
// (Message-ID stable across resends, reply headers, RFC 8058 one-click unsubscribe, the HTML part), SMTP
// refusals classified (451 transient, 550 permanent, a dead server transient), and the inbound-parse webhook.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailProvider } from "../../mod/messaging/services/plugins/email.js";
import { providerHarness } from "../../mod/messaging/services/sdk/test-support.js";
import type { ProviderDefinition } from "../../mod/messaging/services/sdk/define-provider.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";

const email: ProviderDefinition = emailProvider;
const INBOUND_SECRET = "inbound-parse-secret-0123456789";
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer();
});
afterAll(async () => {
  await smtp?.close();
});

const harness = (overrides: Record<string, string | number | boolean> = {}) =>
  providerHarness(email, { host: smtp.host, port: smtp.port, from: "Polity <noreply@polity.example>", replyTo: "replies@polity.example", inboundSecret: INBOUND_SECRET, timeoutSeconds: 5, ...overrides });

describe("email provider: sending", () => {
  it("delivers text and HTML with a Message-ID that is the same on every resend of one message", async () => {
    const before = smtp.messages.length;
    const message = { to: "alice@example.org", subject: "Poll opened", text: "Vote now", html: "<p>Vote <b>now</b></p>", idempotencyKey: "msg-1:provider-1" };
    const first = await harness().send(message);
    const second = await harness().send(message);
    expect(first.providerMessageId).toMatch(/^<[0-9a-f]{40}\.polity@polity\.example>$/);
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(first.state).toBe("SENT");
    const [a, b] = (await smtp.waitFor(before + 2)).slice(before);
    expect(a!.to).toEqual(["alice@example.org"]);
    expect(a!.parsed.messageId).toBe(first.providerMessageId);
    expect(b!.parsed.messageId).toBe(first.providerMessageId);
    expect(a!.parsed.subject).toBe("Poll opened");
    expect(a!.parsed.text?.trim()).toBe("Vote now");
    expect(a!.parsed.html).toContain("<p>Vote <b>now</b></p>");
    expect(a!.parsed.replyTo?.text).toBe("replies@polity.example");
    expect(a!.parsed.headers.has("list-unsubscribe")).toBe(false);
  });

  it("a different idempotency key gets a different Message-ID", async () => {
    const a = await harness().send({ to: "alice@example.org", text: "one", idempotencyKey: "k-a" });
    const b = await harness().send({ to: "alice@example.org", text: "one", idempotencyKey: "k-b" });
    expect(a.providerMessageId).not.toBe(b.providerMessageId);
  });

  it("sets RFC 8058 one-click unsubscribe and the reply headers", async () => {
    const before = smtp.messages.length;
    const url = "https://polity.example/api/messaging/unsubscribe/tok123";
    await harness().send({ to: "bob@example.org", subject: "Re: hi", text: "answer", unsubscribeUrl: url, inReplyTo: "<their-id@mail.example.org>" });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.raw).toMatch(/^List-Unsubscribe: <https:\/\/polity\.example\/api\/messaging\/unsubscribe\/tok123>\r$/m);
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(mail!.parsed.inReplyTo).toBe("<their-id@mail.example.org>");
    expect(mail!.parsed.references).toBe("<their-id@mail.example.org>");
    expect(mail!.parsed.html).toBe(false);
  });

  it("authenticates when the server asks for it", async () => {
    smtp.requireAuth({ username: "polity", password: "s3cret" });
    try {
      expect((await harness({ username: "polity", password: "s3cret" }).send({ to: "carol@example.org", text: "hi" })).state).toBe("SENT");
      expect(await harness({ username: "polity", password: "wrong" }).failure({ to: "carol@example.org", text: "hi" })).toMatchObject({ transient: false });
    } finally {
      smtp.requireAuth(undefined);
    }
  });
});

describe("email provider: failures", () => {
  it("a 550 mailbox unavailable is permanent", async () => {
    smtp.reject("gone@example.org", 550);
    const failure = await harness().failure({ to: "gone@example.org", text: "hi" });
    expect(failure.transient).toBe(false);
    expect(failure.reason).toMatch(/550/);
  });

  it("a 451 (greylisting) is transient, and the next attempt goes through", async () => {
    smtp.reject("busy@example.org", 451, 1);
    const failure = await harness().failure({ to: "busy@example.org", text: "hi" });
    expect(failure.transient).toBe(true);
    expect(failure.reason).toMatch(/451/);
    expect((await harness().send({ to: "busy@example.org", text: "hi" })).state).toBe("SENT");
  });

  it("a server that does not answer is transient", async () => {
    const dead = await startSmtpPeer();
    const port = dead.port;
    await dead.close();
    const failure = await harness({ port }).failure({ to: "alice@example.org", text: "hi" });
    expect(failure.transient).toBe(true);
  });
});

describe("email provider: inbound-parse webhook", () => {
  const sign = (body: string, secret = INBOUND_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const request = (body: string, signature?: string) => ({ rawBody: Buffer.from(body), url: "https://polity.example/api/messaging/hooks/p1", headers: signature === undefined ? {} : { "x-inbound-signature": signature } });
  const reply = JSON.stringify({ from: "Alice <Alice@Example.org>", to: "replies@polity.example", subject: "Re: Poll opened", text: "Count me in", headers: { "Message-ID": "<r1@mail.example.org>", "In-Reply-To": "<abc.polity@polity.example>" } });

  it("accepts a body signed with the inbound secret, and nothing else", () => {
    expect(harness().verify(request(reply, sign(reply)))).toBe(true);
    expect(harness().verify(request(reply, sign(reply).replace("sha256=", "")))).toBe(true);
    expect(harness().verify(request(reply, sign(reply, "another-secret-0123456789")))).toBe(false);
    expect(harness().verify(request(`${reply} `, sign(reply)))).toBe(false);
    expect(harness().verify(request(reply))).toBe(false);
    expect(harness().verify(request(reply, "sha256=zz"))).toBe(false);
    expect(providerHarness(email, { host: "h", from: "a@b.c" }).verify(request(reply, sign(reply)))).toBe(false);
  });

  it("reads a reply: sender, text and the message it answers", () => {
    expect(harness().parse(request(reply))).toEqual([{ kind: "message", providerMessageId: "<r1@mail.example.org>", from: "Alice@Example.org", text: "Count me in", inReplyTo: "<abc.polity@polity.example>" }]);
  });

  it("reads delivery events and names a mail without Message-ID by its content", () => {
    const events = harness().parse(request(JSON.stringify([
      { event: "bounce", messageId: "abc.polity@polity.example", reason: "550 5.1.1 user unknown" },
      { event: "open", messageId: "<abc.polity@polity.example>" },
      { event: "spam-report", messageId: "<abc.polity@polity.example>" },
      { from: "bob@example.org", text: "", html: "<p>Hello <i>there</i></p>", references: "x", headers: [{ name: "References", value: "<a@x> <b@x>" }] },
    ])));
    expect(events[0]).toEqual({ kind: "status", providerMessageId: "<abc.polity@polity.example>", state: "FAILED", reason: "550 5.1.1 user unknown" });
    expect(events[1]).toEqual({ kind: "status", providerMessageId: "<abc.polity@polity.example>", state: "READ" });
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ kind: "message", from: "bob@example.org", text: "Hello there", inReplyTo: "<b@x>" });
    expect((events[2] as { providerMessageId: string }).providerMessageId).toMatch(/^<[0-9a-f]{40}@inbound\.polity\.invalid>$/);
  });

  it("refuses bodies it cannot read", () => {
    expect(() => harness().parse(request("not json"))).toThrow();
    expect(() => harness().parse(request(JSON.stringify([1])))).toThrow();
    expect(() => harness().parse(request(JSON.stringify({ text: "no sender" })))).toThrow();
  });
});
