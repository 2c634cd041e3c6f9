// Replies to email arrive through an inbound-parse webhook, as mail services offer it (the relay receives the
// mail for the reply-to address and POSTs it as JSON). The shape accepted here:
//
//   POST {provider webhook URL}
//   X-Inbound-Signature: sha256=<hex HMAC-SHA256(inboundSecret, raw body)>
//   {"from": "Alice <alice@example.org>", "to": "replies@example.org", "subject": "Re: …", "text": "…",
//    "messageId": "<id@mail.example.org>", "inReplyTo": "<our id>", "headers": {"In-Reply-To": "…", …}}
//
// `messageId`/`inReplyTo` may also be given only as headers (Message-ID, In-Reply-To, References). A relay's
// delivery events use the same envelope: {"event": "delivered" | "open" | "bounce", "messageId": "<our id>",
// "reason": "…"} (DELIVERED_USER, READ, FAILED). A body may also be a JSON array of such objects.
import { createHash } from "node:crypto";
import type { InboundEvent, InboundRequest } from "../sdk/define-provider.js";
import { headerOf, hmacSha256Hex, sameSecret } from "../sdk/inbound.js";
import { bareAddress, normaliseMessageId } from "./email-headers.js";

export const EMAIL_SIGNATURE_HEADER = "X-Inbound-Signature";

type Item = Record<string, unknown>;

export const emailInbound = {
  verify(req: InboundRequest, config: { inboundSecret?: string }): boolean {
    if (!config.inboundSecret) return false;
    const given = headerOf(req, EMAIL_SIGNATURE_HEADER)?.trim().replace(/^sha256=/i, "").toLowerCase();
    return sameSecret(given, hmacSha256Hex(config.inboundSecret, req.rawBody));
  },

  parse(req: InboundRequest): InboundEvent[] {
    const parsed = JSON.parse(req.rawBody.toString("utf8")) as unknown;
    const items = Array.isArray(parsed) ? parsed : [parsed];
    return items.map((item, index) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) throw new Error(`item ${index} is not a JSON object`);
      return eventOf(item as Item, req.rawBody, index);
    }).filter((event): event is InboundEvent => event !== undefined);
  },
};

const STATUS_EVENTS: Record<string, "DELIVERED_USER" | "READ" | "FAILED"> = { delivered: "DELIVERED_USER", open: "READ", opened: "READ", bounce: "FAILED", bounced: "FAILED", dropped: "FAILED" };

function eventOf(item: Item, rawBody: Buffer, index: number): InboundEvent | undefined {
  const headers = headersOf(item.headers);
  const event = text(item.event).toLowerCase() || "inbound";
  if (event !== "inbound") {
    const state = STATUS_EVENTS[event];
    const id = normaliseMessageId(text(item.messageId) || headers["message-id"]);
    if (!state || !id) return undefined;
    const reason = text(item.reason);
    return { kind: "status", providerMessageId: id, state, ...(reason ? { reason } : {}) };
  }
  const from = bareAddress(text(item.from) || headers.from || "");
  if (!from) throw new Error("an inbound email needs `from`");
  // A mail without a Message-ID is still one mail: its content names it, so a redelivery is recognised.
  const messageId = normaliseMessageId(text(item.messageId) || headers["message-id"])
    ?? `<${createHash("sha256").update(rawBody).update(String(index)).digest("hex").slice(0, 40)}@inbound.polity.invalid>`;
  const inReplyTo = normaliseMessageId(text(item.inReplyTo) || headers["in-reply-to"] || lastReference(headers.references));
  const receivedAt = text(item.date) ? new Date(text(item.date)) : undefined;
  return {
    kind: "message", providerMessageId: messageId, from, text: text(item.text) || stripTags(text(item.html)),
    ...(inReplyTo ? { inReplyTo } : {}), ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}),
  };
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Headers as an object or as a list of {name, value} (both shapes are common), keys lower-cased. */
function headersOf(value: unknown): Record<string, string> {
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((h) => [text((h as Item)?.name ?? (h as Item)?.Name), (h as Item)?.value ?? (h as Item)?.Value])
    : typeof value === "object" && value !== null ? Object.entries(value) : [];
  return Object.fromEntries(entries.filter(([k, v]) => k && typeof v === "string").map(([k, v]) => [k.toLowerCase(), v as string]));
}

/** The message answered is the last of References when In-Reply-To is missing. */
function lastReference(references: string | undefined): string | undefined {
  return references?.trim().split(/\s+/).pop();
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
}
