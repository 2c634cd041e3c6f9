// Discourse's outgoing webhooks: Discourse signs each delivery with the webhook's secret
// (X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256 of the raw body>), numbers it (X-Discourse-Event-Id,
// repeated on redelivery), names its event (X-Discourse-Event) and its forum (X-Discourse-Instance, the base URL).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { JsonObject, PluginEvent, WebhookReceiver, WebhookRequest } from "../../sdk/define-plugin.js";
import { discourseServerUrl, postUrl, topicUrl } from "./discourse-client.js";

export const discourseEvents = ["post_created", "topic_created"];

export function isValidDiscourseSignature(request: WebhookRequest, secret: string): boolean {
  const header = request.headers["x-discourse-event-signature"];
  if (!secret || !header || !header.startsWith("sha256=")) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(request.rawBody).digest("hex"), "utf8");
  const given = Buffer.from(header.slice("sha256=".length).toLowerCase(), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const discourseWebhook: WebhookReceiver = {
  verify(request, config) {
    if (!isValidDiscourseSignature(request, typeof config.webhook_secret === "string" ? config.webhook_secret : "")) return false;
    // As Metagov does: a delivery signed with this secret but sent by another forum is refused too.
    const instance = request.headers["x-discourse-instance"];
    return instance === undefined || instance.replace(/\/+$/, "") === discourseServerUrl(config);
  },
  deliveryId: (request) => request.headers["x-discourse-event-id"] || undefined,
  platformId: (request) => request.headers["x-discourse-instance"]?.replace(/\/+$/, "") || undefined,
  async handle(ctx, delivery) {
    const event = delivery.headers["x-discourse-event"];
    const body = (delivery.body ?? {}) as JsonObject;
    if (event === "post_created" && isObject(body.post)) return [postCreated(ctx.config, body.post)];
    if (event === "topic_created" && isObject(body.topic)) return [topicCreated(ctx.config, body.topic)];
    return [];
  },
};

function postCreated(config: JsonObject, post: JsonObject): PluginEvent {
  return {
    type: "post_created",
    data: { raw: post.raw ?? "", topic_id: post.topic_id ?? null, id: post.id ?? null, url: postUrl(config, post) },
    initiator: { user_id: String(post.username ?? ""), provider: "discourse" },
  };
}

function topicCreated(config: JsonObject, topic: JsonObject): PluginEvent {
  const createdBy = isObject(topic.created_by) ? topic.created_by : {};
  return {
    type: "topic_created",
    data: { title: topic.title ?? "", id: topic.id ?? null, tags: topic.tags ?? [], category: topic.category_id ?? null, url: topicUrl(config, topic) },
    initiator: { user_id: String(createdBy.username ?? ""), provider: "discourse" },
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
