// The headers that make an email a well-behaved member of a conversation and a list: a Message-ID that is the
// same on every resend of one message (so a resend after a crash is recognisably the same mail), the reply
// headers, and RFC 8058 one-click unsubscribe.
import { createHash } from "node:crypto";

/** `<hash@domain>`: derived from the idempotency key, so every attempt of one message carries the same id. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40);
  return `<${hash}.polity@${domainOf(from)}>`;
}

/** The domain of a sender such as `Polity <noreply@example.org>`; a neutral one when there is none. */
export function domainOf(from: string): string {
  const address = bareAddress(from);
  const at = address.lastIndexOf("@");
  const domain = at >= 0 ? address.slice(at + 1).replace(/[^A-Za-z0-9.-]/g, "") : "";
  return domain || "polity.invalid";
}

/** `alice@example.org` from `"Alice" <alice@example.org>` (or the text itself when it has no angle brackets). */
export function bareAddress(mailbox: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(mailbox);
  return (angle ? angle[1]! : mailbox).trim();
}

/** A message id as it appears in headers, angle brackets included (`<id>`); undefined for an empty one. */
export function normaliseMessageId(id: string | undefined): string | undefined {
  const first = (id ?? "").trim().split(/\s+/)[0] ?? "";
  const inner = first.replace(/^<|>$/g, "");
  return inner ? `<${inner}>` : undefined;
}

export function replyHeaders(inReplyTo: string | undefined): { inReplyTo?: string; references?: string } {
  const id = normaliseMessageId(inReplyTo);
  return id ? { inReplyTo: id, references: id } : {};
}

export function unsubscribeHeaders(url: string | undefined): Record<string, string> {
  if (!url) return {};
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
