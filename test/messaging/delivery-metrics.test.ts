// The sender's metrics on the sending process's /metrics (its admin listener): a send moves the per-kind counters and histograms, and
// no label names an org, provider or message (their values would grow without bound).
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntityManager } from "../../sys/core/db.js";
import { transition } from "../../mod/messaging/messages/store.js";
import { MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { GetMessageResponse } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { startMessagesStage, until, type MessagesStage } from "./messages-stage.js";

let stage: MessagesStage;
let sentId: string;

beforeAll(async () => {
  stage = await startMessagesStage("msgmetrics");
}, 60_000);
afterAll(async () => {
  await stage?.stop();
});

async function scrape(): Promise<string> {
  return (await fetch(`${stage.server.adminUrl}/metrics`)).text();
}

/** The value of one sample (0 when absent), e.g. sample(text, 'messaging_sends_total{provider_kind="sms",outcome="sent"}'). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("sender metrics", () => {
  it("count a transient failure and a send per provider kind, with the send's duration and the time to SENT", async () => {
    const before = await scrape();
    const contactId = await stage.contact("Mia Metrics");
    stage.sms.script({ status: 500, body: { code: 20500, message: "Internal Server Error" } });
    const { message } = await stage.messages.sendMessage({
      orgId: stage.orgId,
      recipient: { recipient: { case: "contactId", value: contactId } },
      content: { case: "message", value: { text: "Counted" } },
    });
    await until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: message!.id }), (r: GetMessageResponse) => r.message!.state === MessageState.SENT, 30_000);
    sentId = message!.id;

    const after = await scrape();
    const moved = (series: string) => sample(after, series) - sample(before, series);
    expect(moved('messaging_sends_total{provider_kind="sms",outcome="transient"}')).toBe(1);
    expect(moved('messaging_sends_total{provider_kind="sms",outcome="sent"}')).toBe(1);
    expect(moved('messaging_send_seconds_count{provider_kind="sms"}')).toBe(2);
    expect(moved('messaging_time_to_sent_seconds_count{provider_kind="sms"}')).toBe(1);
    expect(after).toContain("# TYPE messaging_time_to_delivered_seconds histogram");
    expect(after).not.toMatch(/^messaging_\w+\{[^}]*(org|message|provider_id)[^}]*\}/m);
  });

  it("observe the time to delivery on the first receipt only, by the carrying provider's kind", async () => {
    // The receipts' process (the one answering the provider's callback) counts on its own registry.
    const registry = new Registry();
    const deps = { ...stage.deps, metrics: registry };
    const receipt = (to: MessageState) => stage.deps.db.em().transactional((tx) => transition(deps, tx as EntityManager, sentId, to, { providerId: stage.smsProviderId }));
    expect(await receipt(MessageState.DELIVERED_SERVICE)).toBe(true);
    expect(await receipt(MessageState.DELIVERED_USER)).toBe(true);
    const text = await registry.metrics();
    expect(sample(text, 'messaging_time_to_delivered_seconds_count{provider_kind="sms"}')).toBe(1);
  });
});
