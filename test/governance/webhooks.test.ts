// Incoming webhooks and outgoing events through the real server and a Discourse fake: signatures checked over
// the raw bytes (a bad or missing one is 401 and leaves nothing), redeliveries processed once, the platform-wide
// path routed by platform id, events streamed from a cursor and delivered, signed, to a subscription.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { verifySignature } from "../../sys/core/outbound/signature.js";
import { createDiscourseFake, type DiscourseFake } from "../fakes/discourse-fake.js";
import type { TestServer } from "../support/server.js";
import { listEventsOfType, type Receiver, startGovernanceStage, startReceiver, stopAll, until } from "./support.js";

const SECRET = "discourse-webhook-secret";
let server: TestServer;
let admin: PolityClient;
let communityId: string;
let discourse: DiscourseFake;
let receiver: Receiver;
let hookUrl: string;
let subscriptionSecret: string;

const eventsOfType = (type: string) => listEventsOfType(admin, communityId, type);

beforeAll(async () => {
  ({ server, admin, communityId } = await startGovernanceStage("hooks"));
  discourse = await createDiscourseFake({ apiKey: "discourse-api-key", webhookSecret: SECRET });
  receiver = await startReceiver();
  const { instance } = await admin.governance.enablePlugin({ communityId, plugin: "discourse", config: { server_url: discourse.url, api_key: "discourse-api-key", webhook_secret: SECRET } });
  hookUrl = `${server.url}${instance!.hookPath}`;
  ({ secret: subscriptionSecret } = await admin.governance.createSubscription({ communityId, url: `${receiver.url}/events`, eventTypes: ["discourse.post_created"] }));
}, 60_000);
afterAll(() => stopAll(receiver, discourse, server));

describe("incoming webhooks", () => {
  it("lists the hook, runs an action on the platform, and turns its signed webhook into one event", async () => {
    expect((await admin.governance.listHooks({ communityId })).hooks).toEqual([`/api/hooks/${communityId}/discourse`]);
    const { result } = await admin.governance.runAction({ communityId, action: "discourse.create-topic", parameters: { title: "Where should the bench go?", raw: "Let us talk about the new bench by the harbour.", category: 1 } });
    const postId = Number(result?.post_id);
    const first = await discourse.sendWebhook(hookUrl, { type: "post_created", postId });
    expect(first.status).toBe(200);
    // The same delivery again (Discourse's redelivery button): accepted, processed once.
    expect((await discourse.sendWebhook(hookUrl, { type: "post_created", postId }, { eventId: first.eventId })).status).toBe(200);
    const events = await until(() => eventsOfType("discourse.post_created"), (e) => e.length >= 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "discourse.post_created", communityId });
    expect(events[0].initiator?.provider).toBe("discourse");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await eventsOfType("discourse.post_created")).toHaveLength(1);
  });

  it("refuses a wrongly signed or unsigned delivery with 401 and stores nothing", async () => {
    const postId = [...discourse.posts.keys()][0];
    expect((await discourse.sendWebhook(hookUrl, { type: "topic_created", topicId: discourse.posts.get(postId)!.topic_id }, { secret: "not-the-secret" })).status).toBe(401);
    expect((await discourse.sendWebhook(hookUrl, { type: "topic_created", topicId: discourse.posts.get(postId)!.topic_id }, { secret: null })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await eventsOfType("discourse.topic_created")).toHaveLength(0);
  });

  it("answers 404 for hooks that do not exist, without a body read", async () => {
    const post = (path: string) => fetch(`${server.url}${path}`, { method: "POST", body: "{}" }).then((r) => r.status);
    expect(await post(`/api/hooks/${communityId}/loomio`)).toBe(404);
    expect(await post(`/api/hooks/not-a-community/discourse`)).toBe(404);
    expect(await post(`/api/hooks/nothing-here`)).toBe(404);
  });

  it("delivers the event to the subscription, signed with its secret", async () => {
    const delivery = await receiver.waitFor((r) => r.body.includes("discourse.post_created"));
    expect(verifySignature(subscriptionSecret, delivery.headers["polity-signature"] as string, delivery.body)).toBe(true);
    const envelope = JSON.parse(delivery.body);
    expect(envelope).toMatchObject({ specversion: "1.0", type: "discourse.post_created", community: communityId });
    expect(envelope.source).toContain(`polity/${communityId}/discourse/`);
    expect(receiver.received.filter((r) => r.body.includes("topic_created"))).toHaveLength(0);
  });

  it("streams events from a cursor", async () => {
    const [event] = await eventsOfType("discourse.post_created");
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      try {
        for await (const message of admin.governance.watchEvents({ communityId, afterCursor: "0" }, { signal: controller.signal })) {
          seen.push(message.event!.id);
          if (seen.length >= 1) controller.abort();
        }
      } catch {
        // aborted
      }
    })();
    await watching;
    expect(seen[0]).toBe(event.id);
    const after = await admin.governance.listEvents({ communityId, afterCursor: event.cursor });
    expect(after.events.map((e) => e.id)).not.toContain(event.id);
  });

  it("routes the platform-wide path by the platform id", async () => {
    await admin.governance.enablePlugin({ communityId, plugin: "discourse", platformId: discourse.url, config: { server_url: discourse.url, api_key: "discourse-api-key", webhook_secret: SECRET } });
    const before = (await eventsOfType("discourse.post_created")).length;
    const postId = [...discourse.posts.keys()][0];
    expect((await discourse.sendWebhook(`${server.url}/api/hooks/discourse`, { type: "post_created", postId })).status).toBe(200);
    const events = await until(() => eventsOfType("discourse.post_created"), (e) => e.length > before);
    expect(events.length).toBe(before + 1);
    // Two instances now: the community path must name one.
    expect((await discourse.sendWebhook(hookUrl, { type: "post_created", postId })).status).toBe(404);
  });
});
