// What a webhook receiver posts back to Polity: replies and delivery reports, signed with the same
// Polity-Signature scheme as outgoing messages (HMAC-SHA256 over "<t>.<raw body>", the provider's secret).
//
//   {"type": "message", "id": "<receiver's id for the reply>", "from": "<the contact's address>", "text": "…",
//    "inReplyTo": "<id of our message>", "receivedAt": "2026-12-01T09:00:00Z"}
//   {"type": "status", "id": "<id of our message>", "state": "delivered" | "read" | "failed" | "accepted", "reason": "…"}
//
// The body is one such object, a JSON array of them, or {"events": [...]}.
import type { InboundEvent } from "../sdk/define-provider.js";

type Item = Record<string, unknown>;
type StatusState = Extract<InboundEvent, { kind: "status" }>["state"];

const STATES: Record<string, StatusState> = {
  accepted: "DELIVERED_SERVICE", delivered_service: "DELIVERED_SERVICE",
  delivered: "DELIVERED_USER", delivered_user: "DELIVERED_USER",
  read: "READ", failed: "FAILED",
};

export function webhookEvents(body: unknown): InboundEvent[] {
  const items = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.events) ? body.events : [body];
  return items.map((item, index) => {
    if (!isObject(item)) throw new Error(`event ${index} is not a JSON object`);
    return eventOf(item, index);
  });
}

function eventOf(item: Item, index: number): InboundEvent {
  const id = text(item.id);
  if (!id) throw new Error(`event ${index} has no id`);
  if (item.type === "status") {
    const state = STATES[text(item.state).toLowerCase()];
    if (!state) throw new Error(`event ${index}: unknown state ${JSON.stringify(item.state)}`);
    const reason = text(item.reason);
    return { kind: "status", providerMessageId: id, state, ...(reason ? { reason } : {}) };
  }
  if (item.type !== "message") throw new Error(`event ${index}: type must be "message" or "status"`);
  const from = text(item.from);
  if (!from) throw new Error(`event ${index} has no from`);
  const inReplyTo = text(item.inReplyTo);
  const receivedAt = text(item.receivedAt) ? new Date(text(item.receivedAt)) : undefined;
  return {
    kind: "message", providerMessageId: id, from, text: text(item.text),
    ...(inReplyTo ? { inReplyTo } : {}), ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}),
  };
}

const isObject = (value: unknown): value is Item => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");
