// Discourse webhooks as Discourse sends them (signed by the local fake): signature checks over the raw bytes,
// delivery and platform ids from Discourse's headers, and the post_created / topic_created events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../../sdk/define-plugin.js";
import { testInstanceContext } from "../../sdk/test-support.js";
import { createDiscourseFake, type DiscourseFake } from "../../../../test/fakes/discourse-fake.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";
import { createDiscoursePlugin } from "./discourse-plugin.js";

const plugin = createDiscoursePlugin();
const webhook = plugin.webhook!;
const secret = "a-long-webhook-secret";
let discourse: DiscourseFake;
let receiver: HookReceiver;
const createReceiver = () => createHookReceiver("/api/hooks/discourse");

beforeAll(async () => {
  discourse = await createDiscourseFake({ apiKey: "right-key", webhookSecret: secret });
  receiver = await createReceiver();
});
afterAll(async () => { await discourse.close(); await receiver.close(); });

const ctx = () => testInstanceContext(plugin, { config: { server_url: discourse.url, api_key: "right-key", webhook_secret: secret }, platformId: discourse.url });

async function delivered(send: () => Promise<unknown>): Promise<WebhookDelivery> {
  await send();
  return receiver.received.at(-1)!;
}

async function newTopic() {
  return plugin.actions!["create-topic"]!.run(ctx(), { title: "Agenda for the general meeting", raw: "Please add your agenda items below.", category: 8 }) as Promise<{ post_id: number; topic_id: number }>;
}

describe("discourse webhooks", () => {
  it("accepts Discourse's signature and refuses a wrong, missing or foreign one, or one over other bytes", async () => {
    const { post_id } = await newTopic();
    const config = ctx().config;
    const good = await delivered(() => discourse.sendWebhook(receiver.url, { type: "post_created", postId: post_id }));
    expect(await webhook.verify(good, config)).toBe(true);

    const wrongSecret = await delivered(() => discourse.sendWebhook(receiver.url, { type: "post_created", postId: post_id }, { secret: "another-long-secret" }));
    expect(await webhook.verify(wrongSecret, config)).toBe(false);
    const unsigned = await delivered(() => discourse.sendWebhook(receiver.url, { type: "post_created", postId: post_id }, { secret: null }));
    expect(unsigned.headers["x-discourse-event-signature"]).toBeUndefined();
    expect(await webhook.verify(unsigned, config)).toBe(false);

    const otherBytes = { ...good, rawBody: Buffer.from(good.rawBody.toString("utf8").replace("Please add", "Please drop")) };
    expect(await webhook.verify(otherBytes, config)).toBe(false);
    const reformatted = { ...good, rawBody: Buffer.from(JSON.stringify(JSON.parse(good.rawBody.toString("utf8")), null, 2)) };
    expect(await webhook.verify(reformatted, config)).toBe(false);
    const garbled = { ...good, headers: { ...good.headers, "x-discourse-event-signature": "sha256=abc" } };
    expect(await webhook.verify(garbled, config)).toBe(false);
    const otherForum = { ...good, headers: { ...good.headers, "x-discourse-instance": "https://elsewhere.example.org" } };
    expect(await webhook.verify(otherForum, config)).toBe(false);
    expect(await webhook.verify(good, { ...config, webhook_secret: "" })).toBe(false);
  });

  it("takes the delivery id from X-Discourse-Event-Id (the same on redelivery) and the platform id from X-Discourse-Instance", async () => {
    const first = await delivered(() => discourse.sendWebhook(receiver.url, { type: "ping" }));
    const again = await delivered(() => discourse.sendWebhook(receiver.url, { type: "ping" }, { eventId: Number(first.headers["x-discourse-event-id"]) }));
    const next = await delivered(() => discourse.sendWebhook(receiver.url, { type: "ping" }));
    expect(webhook.deliveryId!(first)).toBe(first.headers["x-discourse-event-id"]);
    expect(webhook.deliveryId!(again)).toBe(webhook.deliveryId!(first));
    expect(webhook.deliveryId!(next)).not.toBe(webhook.deliveryId!(first));
    expect(webhook.platformId!(first)).toBe(discourse.url);
  });

  it("turns post_created and topic_created into Metagov's events, and ignores others", async () => {
    const { post_id, topic_id } = await newTopic();
    const post = await delivered(() => discourse.sendWebhook(receiver.url, { type: "post_created", postId: post_id }));
    const postEvents = await webhook.handle(ctx(), post);
    expect(postEvents).toEqual([{
      type: "post_created",
      data: { raw: "Please add your agenda items below.", topic_id, id: post_id, url: `${discourse.url}/t/agenda-for-the-general-meeting/${topic_id}/1` },
      initiator: { user_id: "system", provider: "discourse" },
    }]);

    const topic = await delivered(() => discourse.sendWebhook(receiver.url, { type: "topic_created", topicId: topic_id }));
    const topicEvents = await webhook.handle(ctx(), topic);
    expect(topicEvents).toEqual([{
      type: "topic_created",
      data: { title: "Agenda for the general meeting", id: topic_id, tags: [], category: 8, url: `${discourse.url}/t/agenda-for-the-general-meeting/${topic_id}` },
      initiator: { user_id: "system", provider: "discourse" },
    }]);
    expect(plugin.events).toEqual(["post_created", "topic_created"]);

    const ping = await delivered(() => discourse.sendWebhook(receiver.url, { type: "ping" }));
    expect(await webhook.handle(ctx(), ping)).toEqual([]);
  });
});

describe("discourse webhooks sent by Discourse itself", () => {
  it("a new topic sends topic_created then post_created, signed, which become events", async () => {
    const ownDiscourse = await createDiscourseFake({ apiKey: "right-key", webhookSecret: secret });
    const ownReceiver = await createReceiver();
    try {
      ownDiscourse.addWebhook(ownReceiver.url);
      const context = () => testInstanceContext(plugin, { config: { server_url: ownDiscourse.url, api_key: "right-key", webhook_secret: secret } });
      const topic = await plugin.actions!["create-topic"]!.run(context(), { title: "Volunteers for the cleanup day", raw: "Sign up below if you can help out.", category: 8 }) as { topic_id: number; post_id: number };
      await plugin.actions!["create-post"]!.run(context(), { topic_id: topic.topic_id, raw: "Count me in, I will bring gloves." });
      expect(await ownDiscourse.webhooksSettled()).toEqual([{ event: "topic_created", status: 200 }, { event: "post_created", status: 200 }, { event: "post_created", status: 200 }]);
      const events = [];
      for (const request of ownReceiver.received) {
        expect(await webhook.verify(request, context().config)).toBe(true);
        events.push(...((await webhook.handle(context(), request)) ?? []));
      }
      expect(events.map((event) => [event.type, event.data.id])).toEqual([["topic_created", topic.topic_id], ["post_created", topic.post_id], ["post_created", topic.post_id + 1]]);
      expect(new Set(ownReceiver.received.map((request) => webhook.deliveryId!(request))).size).toBe(3);
    } finally {
      await ownDiscourse.close();
      await ownReceiver.close();
    }
  });
});
