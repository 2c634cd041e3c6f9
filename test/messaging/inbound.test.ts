// Inbound webhooks through the real server on PostgreSQL, with the SMS gateway fake signing its callbacks as
// Twilio does: a reply marks the message it answers REPLIED, a redelivery changes nothing, a bad or missing
// signature is 401 with nothing stored, STOP opts the sender out of SMS before any later send (which then goes
// by email), START undoes only that, and delivery receipts move a message forward only.
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Direction, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { MessageService } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import type { Provider } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { pruneInboundEvents, sweepUnmatchedReceipts } from "../../mod/messaging/inbound/unmatched-sweep.js";
import { until } from "../governance/support.js";
import { createSmsGatewayFake, signTwilio, type SmsGatewayFake } from "../fakes/sms-gateway-fake.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";
import { type ProviderStage, startProviderStage } from "./providers-stage.js";

let stage: ProviderStage;
let sms: SmsGatewayFake;
let smtp: SmtpPeer;
let smsProvider: Provider;
let mailProvider: Provider;
let messages: ReturnType<typeof createClient<typeof MessageService>>;
let phoneSerial = 0;

const stateName = (s: MessageState) => MessageState[s];
const inboundRows = async () => (await stage.sql.query<{ event_key: string; outcome: string }>("select event_key, outcome from mod.messaging_inbound_events order by received_at")).rows;

/** A contact with a consented mobile number and email address. */
async function newContact(name: string) {
  const phone = `+3247${String(1000000 + ++phoneSerial)}`;
  const email = `${name.toLowerCase()}@example.org`;
  const { contact } = await stage.contacts.createContact({ orgId: stage.orgId, contact: { name, addresses: [
    { channel: Channel.SMS, address: phone, consent: { granted: true, source: "form" } },
    { channel: Channel.EMAIL, address: email, consent: { granted: true, source: "form" } },
  ] } });
  return { id: contact!.id, phone, email };
}

async function send(contactId: string, text: string) {
  const { message } = await messages.sendMessage({ orgId: stage.orgId, recipient: { recipient: { case: "contactId", value: contactId } }, content: { case: "message", value: { text, subject: "Hello" } } });
  return message!.id;
}

const read = (id: string) => messages.getMessage({ orgId: stage.orgId, messageId: id });
const stateOf = async (id: string) => stateName((await read(id)).message!.state);
const waitState = async (id: string, state: MessageState) => expect(stateName((await until(() => read(id), (r) => r.message!.state === state, 20_000)).message!.state)).toBe(stateName(state));

beforeAll(async () => {
  sms = await createSmsGatewayFake();
  smtp = await startSmtpPeer();
  stage = await startProviderStage("inbound");
  messages = createClient(MessageService, stage.admin.transport);
  smsProvider = (await stage.providers.createProvider({ orgId: stage.orgId, kind: "sms", name: "gateway", config: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" }, ratePerSecond: 100 })).provider!;
  mailProvider = (await stage.providers.createProvider({ orgId: stage.orgId, kind: "email", name: "mail", config: { host: smtp.host, port: smtp.port, secure: false, from: "Polity <noreply@example.org>" }, ratePerSecond: 100 })).provider!;
  await stage.providers.setChain({ orgId: stage.orgId, scope: { scope: { case: "orgDefault", value: true } }, providerIds: [smsProvider.id, mailProvider.id] });
}, 120_000);
afterAll(async () => {
  await stage?.stop();
  await sms?.close();
  await smtp?.close();
});

describe("inbound SMS", () => {
  it("a signed reply is stored once, linked to the message it answers, which becomes REPLIED", async () => {
    const ada = await newContact("Ada");
    const id = await send(ada.id, "Will you come on Sunday?");
    await waitState(id, MessageState.SENT);
    const before = (await inboundRows()).length;

    const reply = await sms.sendInbound(smsProvider.webhookUrl, { from: ada.phone, body: "Yes, see you there", sid: "SMreply0001" });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain("<Response/>");
    expect(await stateOf(id)).toBe("REPLIED");
    const incoming = (await messages.listMessages({ orgId: stage.orgId, contactId: ada.id, direction: Direction.INCOMING })).messages;
    expect(incoming.map((m) => [m.text, m.replyToMessageId, m.providerMessageId])).toEqual([["Yes, see you there", id, "SMreply0001"]]);

    // The provider delivers the same event again: nothing changes.
    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: ada.phone, body: "Yes, see you there", sid: "SMreply0001" })).status).toBe(200);
    expect((await messages.listMessages({ orgId: stage.orgId, contactId: ada.id, direction: Direction.INCOMING })).messages).toHaveLength(1);
    expect((await inboundRows()).length).toBe(before + 1);
  }, 60_000);

  it("a reply from a community's contact is a messaging.message_received governance event for its drivers, naming the message but not its text", async () => {
    const { community } = await stage.admin.communities.createCommunity({ orgId: stage.orgId, slug: "inbound-drivers", name: "Drivers", visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.OPEN });
    const phone = `+3247${String(1000000 + ++phoneSerial)}`;
    const { contact } = await stage.contacts.createContact({ orgId: stage.orgId, contact: { name: "Cleo", communityId: community!.id, addresses: [{ channel: Channel.SMS, address: phone, consent: { granted: true, source: "form" } }] } });
    const id = await send(contact!.id, "Shall we meet at the library?");
    await waitState(id, MessageState.SENT);
    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: phone, body: "The library works for me", sid: "SMdriver0001" })).status).toBe(200);
    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: phone, body: "The library works for me", sid: "SMdriver0001" })).status).toBe(200);
    const { events } = await stage.admin.governance.listEvents({ communityId: community!.id, types: ["messaging.message_received"] });
    const incoming = (await messages.listMessages({ orgId: stage.orgId, contactId: contact!.id, direction: Direction.INCOMING })).messages;
    expect(events.map((e) => e.data)).toEqual([{ message_id: incoming[0].id, org_id: stage.orgId, channel: "sms", provider_id: smsProvider.id, contact_id: contact!.id, in_reply_to_message_id: id }]);
    expect(JSON.stringify(events.map((e) => [e.type, e.source, e.data, e.initiator]))).not.toContain("library");
  }, 60_000);

  it("a bad or missing signature is 401 and nothing is stored", async () => {
    const ben = await newContact("Ben");
    const before = await inboundRows();
    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: ben.phone, body: "STOP" }, { token: "not-the-auth-token" })).status).toBe(401);
    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: ben.phone, body: "STOP" }, { token: null })).status).toBe(401);
    // Signed for another URL (a replay to another provider's hook) does not verify either.
    const other = (await stage.providers.createProvider({ orgId: stage.orgId, kind: "sms", name: "gateway-2", config: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550007" } })).provider!;
    const params = { AccountSid: sms.accountSid, MessageSid: "SMforother01", SmsStatus: "received", From: ben.phone, To: "+15005550006", Body: "STOP" };
    const signedForOther = await fetch(smsProvider.webhookUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signTwilio(sms.authToken, other.webhookUrl, params) }, body: new URLSearchParams(params).toString() });
    expect(signedForOther.status).toBe(401);
    await stage.providers.deleteProvider({ orgId: stage.orgId, providerId: other.id });
    expect(await inboundRows()).toEqual(before);
    const { contact } = await stage.contacts.getContact({ orgId: stage.orgId, contactId: ben.id });
    expect(contact!.optedOut).toEqual([]);
  });

  it("STOP opts the sender out of SMS: the next message goes by email; START brings SMS back", async () => {
    const cleo = await newContact("Cleo");
    const answer = await sms.sendInbound(smsProvider.webhookUrl, { from: cleo.phone, body: "  stop \n" });
    expect(answer.status).toBe(200);
    expect((await stage.contacts.getContact({ orgId: stage.orgId, contactId: cleo.id })).contact!.optedOut).toEqual([Channel.SMS]);

    const sentBefore = sms.messages.length;
    const id = await send(cleo.id, "The meeting moved to Monday");
    await waitState(id, MessageState.SENT);
    const sent = (await read(id)).message!;
    expect([sent.providerId, sent.channel]).toEqual([mailProvider.id, Channel.EMAIL]);
    expect(sms.messages.slice(sentBefore).filter((m) => m.to === cleo.phone)).toEqual([]);
    expect(smtp.messages.some((m) => m.to.includes(cleo.email))).toBe(true);

    expect((await sms.sendInbound(smsProvider.webhookUrl, { from: cleo.phone, body: "START" })).status).toBe(200);
    expect((await stage.contacts.getContact({ orgId: stage.orgId, contactId: cleo.id })).contact!.optedOut).toEqual([]);
    const again = await send(cleo.id, "And SMS works again");
    await waitState(again, MessageState.SENT);
    expect((await read(again)).message!.providerId).toBe(smsProvider.id);
  }, 60_000);

  it("status callbacks move a message forward only", async () => {
    const dan = await newContact("Dan");
    const id = await send(dan.id, "Receipts, please");
    await waitState(id, MessageState.SENT);
    const sid = (await read(id)).message!.providerMessageId;
    expect(sid).toMatch(/^SM/);

    expect((await sms.report(sid, "delivered")).status).toBe(200);
    expect(await stateOf(id)).toBe("DELIVERED_USER");
    // "sent" (DELIVERED_SERVICE) arriving late does not move it back.
    expect((await sms.report(sid, "sent")).status).toBe(200);
    expect(await stateOf(id)).toBe("DELIVERED_USER");
    // Nothing after the handset got it can fail.
    expect((await sms.report(sid, "failed", { errorCode: 30003 })).status).toBe(200);
    expect(await stateOf(id)).toBe("DELIVERED_USER");
    const history = (await read(id)).history.map((h) => stateName(h.state));
    expect(history.slice(history.indexOf("SENT"))).toEqual(["SENT", "DELIVERED_USER"]);
    expect((await sms.report(sid, "read", { token: "wrong" })).status).toBe(401);
    expect(await stateOf(id)).toBe("DELIVERED_USER");
    expect((await sms.report(sid, "read")).status).toBe(200);
    expect(await stateOf(id)).toBe("READ");
  }, 60_000);

  it("a receipt that arrives before the sender recorded the provider's id is applied once it has", async () => {
    const eve = await newContact("Eve");
    const id = await send(eve.id, "Early receipt");
    await waitState(id, MessageState.SENT);
    const params = { AccountSid: sms.accountSid, MessageSid: "SMearly00001", SmsSid: "SMearly00001", MessageStatus: "delivered", SmsStatus: "delivered", To: eve.phone };
    const early = await fetch(smsProvider.webhookUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signTwilio(sms.authToken, smsProvider.webhookUrl, params) }, body: new URLSearchParams(params).toString() });
    expect(early.status).toBe(200);
    expect((await inboundRows()).filter((r) => r.event_key === "status:SMearly00001:DELIVERED_USER")).toEqual([{ event_key: "status:SMearly00001:DELIVERED_USER", outcome: "unmatched" }]);
    // The sender commits the provider's id late (as if its transaction were slow): the worker's sweep matches it.
    await stage.sql.query("update mod.messaging_messages set provider_message_id = 'SMearly00001' where id = $1", [id]);
    await sweepUnmatchedReceipts(stage.deps);
    await waitState(id, MessageState.DELIVERED_USER);
    expect((await inboundRows()).find((r) => r.event_key === "status:SMearly00001:DELIVERED_USER")!.outcome).toBe("applied");
  }, 60_000);

  it("forgets inbox rows a month old, long after any redelivery", async () => {
    await stage.sql.query("update mod.messaging_inbound_events set received_at = now() - interval '31 days' where event_key = 'message:SMreply0001'");
    expect(await pruneInboundEvents(stage.deps)).toBe(1);
    expect((await inboundRows()).map((r) => r.event_key)).not.toContain("message:SMreply0001");
  });

  it("an unsolicited text from an unknown number is kept as an incoming message with no contact", async () => {
    const answer = await sms.sendInbound(smsProvider.webhookUrl, { from: "+32499000111", body: "Who is this?", sid: "SMunknown01" });
    expect(answer.status).toBe(200);
    const incoming = (await messages.listMessages({ orgId: stage.orgId, direction: Direction.INCOMING })).messages.filter((m) => m.providerMessageId === "SMunknown01");
    expect(incoming.map((m) => [m.text, m.contactId, m.replyToMessageId])).toEqual([["Who is this?", "", ""]]);
  });
});
