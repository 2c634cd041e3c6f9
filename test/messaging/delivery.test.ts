// The sender on a real server and PostgreSQL, against a Twilio-shaped SMS gateway fake and a real SMTP peer:
// transient failures retried on the same service honouring Retry-After, then the next service of the chain;
// permanent failures falling through at once; no usable channel; every transition and attempt read back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { SendAttempt_Outcome, type GetMessageResponse } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import pino from "pino";
import { createJobQueue } from "../../sys/core/jobs/pg-boss-queue.js";
import { sweepOrphans } from "../../mod/messaging/delivery/sweep.js";
import { startMessagesStage, until, type MessagesStage } from "./messages-stage.js";

let stage: MessagesStage;
const ms = (t: { seconds: bigint; nanos: number } | undefined) => (t ? Number(t.seconds) * 1000 + t.nanos / 1e6 : NaN);

beforeAll(async () => {
  // Two tries per service: the SMS gateway's 429 then 500 use up its budget.
  // Links in email (one-click unsubscribe) are built on the public URL.
  stage = await startMessagesStage("msgdelivery", { POLITY_PUBLIC_URL: "http://polity.example", POLITY_MESSAGING_ATTEMPTS_PER_PROVIDER: "2" });
}, 60_000);
afterAll(async () => {
  await stage?.stop();
});

async function send(contactId: string, text: string): Promise<string> {
  const { message } = await stage.messages.sendMessage({
    orgId: stage.orgId,
    recipient: { recipient: { case: "contactId", value: contactId } },
    content: { case: "message", value: { text, subject: "Hello" } },
  });
  return message!.id;
}

const settled = (id: string, timeoutMs = 30_000) =>
  until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: id }), (r: GetMessageResponse) => [MessageState.SENT, MessageState.FAILED].includes(r.message!.state), timeoutMs);

describe("sending through a service chain", () => {
  it("retries the SMS gateway's 429 (after its Retry-After) and 500, then sends by email: every state and attempt read back in order", async () => {
    const contactId = await stage.contact("Ann Chain");
    const before = stage.sms.requests.length;
    stage.sms.script({ status: 429, headers: { "retry-after": "1" }, body: { code: 20429, message: "Too Many Requests" } }, { status: 500, body: { code: 20500, message: "Internal Server Error" } });
    const id = await send(contactId, "The poll is open");
    const got = await settled(id);

    expect(got.message!.state).toBe(MessageState.SENT);
    expect(got.message!.providerId).toBe(stage.emailProviderId);
    expect(got.message!.channel).toBe(Channel.EMAIL);
    expect(got.message!.providerMessageId).toMatch(/^<.+>$/);

    // The gateway's Retry-After (1 s) was honoured between the two SMS tries.
    const calls = stage.sms.requests.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);

    const attempts = got.attempts.map((a) => [a.providerId, a.attempt, a.outcome]);
    expect(attempts).toEqual([
      [stage.smsProviderId, 1, SendAttempt_Outcome.TRANSIENT],
      [stage.smsProviderId, 2, SendAttempt_Outcome.TRANSIENT],
      [stage.emailProviderId, 1, SendAttempt_Outcome.SENT],
    ]);
    expect(got.attempts[0]!.reason).toMatch(/429/);
    expect(got.attempts[0]!.retryAfterMs).toBe(1000n);
    expect(got.attempts[1]!.reason).toMatch(/500/);
    for (const a of got.attempts) expect(ms(a.finishTime)).toBeGreaterThanOrEqual(ms(a.startTime));

    const history = got.history.map((h) => [h.state, h.providerId]);
    expect(history).toEqual([
      [MessageState.PENDING, ""],
      [MessageState.SENDING, stage.smsProviderId],
      [MessageState.SENDING, stage.smsProviderId],
      [MessageState.SENDING, stage.emailProviderId],
      [MessageState.SENT, stage.emailProviderId],
    ]);
    expect(got.history[2]!.reason).toMatch(/^retry 2 on sms-gateway after transient failure: .*429/);
    expect(got.history[3]!.reason).toMatch(/^falling back to smtp after transient failure on sms-gateway: .*500/);
    const times = got.history.map((h) => ms(h.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const mail = stage.smtp.messages.find((m) => m.parsed.messageId === got.message!.providerMessageId);
    expect(mail?.parsed.text?.trim()).toBe("The poll is open");
    // Email carries the recipient's one-click unsubscribe link.
    expect(mail!.raw).toMatch(/^List-Unsubscribe:\s*<http:\/\/polity\.example\/api\/messaging\/unsubscribe\/[^>]+>$/m);
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  }, 60_000);

  it("falls through to email at once on a permanent failure (an invalid number)", async () => {
    const contactId = await stage.contact("Bob Invalid");
    stage.sms.script({ status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number." } });
    const got = await settled(await send(contactId, "Permanent"));
    expect(got.message!.state).toBe(MessageState.SENT);
    expect(got.attempts.map((a) => [a.providerId, a.outcome])).toEqual([
      [stage.smsProviderId, SendAttempt_Outcome.PERMANENT],
      [stage.emailProviderId, SendAttempt_Outcome.SENT],
    ]);
    expect(got.attempts[0]!.reason).toMatch(/21211/);
    // No backoff: the email attempt starts as soon as the SMS one ended.
    expect(ms(got.attempts[1]!.startTime) - ms(got.attempts[0]!.finishTime)).toBeLessThan(1000);
  }, 60_000);

  it("fails with every attempt's reason when the last service fails too", async () => {
    const contactId = await stage.contact("Cat Bounce", { email: "gone@example.org" });
    stage.smtp.reject("gone@example.org", 550);
    stage.sms.script({ status: 400, body: { code: 21614, message: "not a mobile number" } });
    const got = await settled(await send(contactId, "Nowhere"));
    expect(got.message!.state).toBe(MessageState.FAILED);
    const failed = got.history.at(-1)!;
    expect(failed.state).toBe(MessageState.FAILED);
    expect(failed.reason).toMatch(/sms-gateway #1 permanent: .*21614.*; smtp #1 permanent: .*550/);

    const { messages } = await stage.messages.listFailedMessages({ orgId: stage.orgId });
    const dead = messages.find((m) => m.message!.id === got.message!.id);
    expect(dead?.attempts).toHaveLength(2);
    expect(dead?.reason).toBe(failed.reason);
  }, 60_000);

  it("a recipient without a consented channel is FAILED with NO_CHANNEL and no service is called", async () => {
    const before = stage.sms.requests.length;
    const contactId = await stage.contact("Dan Noconsent", { consent: false });
    const got = await settled(await send(contactId, "Nobody"));
    expect(got.message!.state).toBe(MessageState.FAILED);
    expect(got.history.at(-1)!.reason).toMatch(/^NO_CHANNEL/);
    expect(got.attempts).toEqual([]);
    expect(stage.sms.requests.length).toBe(before);
  }, 60_000);

  it("paces sends to a provider's rate across the chain's messages (short waits slept, long ones re-enqueued)", async () => {
    const { provider } = await stage.providers.createProvider({
      orgId: stage.orgId, kind: "sms", name: "slow-sms", ratePerSecond: 2,
      config: { baseUrl: stage.sms.url, accountSid: "AC0123456789", authToken: "sms-auth-token", from: "+15005550007" },
    });
    await stage.chain("category", "slow", [provider!.id]);
    const contactId = await stage.contact("Rae Rate");
    const before = stage.sms.requests.length;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push((await stage.messages.sendMessage({ orgId: stage.orgId, recipient: { recipient: { case: "contactId", value: contactId } }, category: "slow", content: { case: "message", value: { text: `paced ${i}` } } })).message!.id);
    }
    for (const id of ids) expect((await settled(id)).message!.state).toBe(MessageState.SENT);
    const times = stage.sms.requests.slice(before).map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(8);
    // Two a second: consecutive sends at least ~500 ms apart (a little slack for timer granularity).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(450);
  }, 60_000);

  it("the sweep gives a job back to a message whose job vanished", async () => {
    const contactId = await stage.contact("Otto Orphan");
    const { message } = await stage.messages.sendMessage({
      orgId: stage.orgId, recipient: { recipient: { case: "contactId", value: contactId } }, content: { case: "message", value: { text: "orphan" } },
      schedule: { case: "sendTime", value: timestampFromDate(new Date(Date.now() + 3_600_000)) },
    });
    const id = message!.id;
    // The job is gone (dropped past pg-boss's retention, say) and the message has waited past its send time.
    await stage.sql.query(`delete from pgboss.job where name = 'messaging.send' and data->>'messageId' = $1`, [id]);
    await stage.sql.query(`update mod.messaging_messages set send_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' where id = $1`, [id]);
    const jobs = createJobQueue(stage.deps.db, pino({ level: "silent" }));
    await jobs.start();
    try {
      expect(await sweepOrphans({ ...stage.deps, jobs }, 60_000)).toBeGreaterThanOrEqual(1);
      // A second sweep finds nothing: the message was touched and has its job again.
      expect(await sweepOrphans({ ...stage.deps, jobs }, 60_000)).toBe(0);
    } finally {
      await jobs.stop();
    }
    expect((await settled(id)).message!.state).toBe(MessageState.SENT);
  }, 60_000);
});
