// webhook: each message is a signed JSON POST to the contact's webhook address (or one URL for all), through the
// safe outbound fetch, signed with Polity-Signature and carrying `Idempotency-Key` (the same on every retry of
// the message), so a receiver that dedupes by it never acts twice, even when a worker dies between its send and
// its commit. A 2xx is SENT; 429, 408 and 5xx (and no answer at all) are transient, honouring Retry-After; any
// other status, a redirect or a refused destination is permanent. Replies and delivery reports come back signed
// the same way (webhook-events.ts).
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { deliverOnce } from "../../../../sys/core/outbound/deliver.js";
import { SIGNATURE_HEADER, verifySignature } from "../../../../sys/core/outbound/signature.js";
import { defineProvider, permanentFailure, transientFailure } from "../sdk/define-provider.js";
import { headerOf } from "../sdk/inbound.js";
import { webhookEvents } from "./webhook-events.js";

export type WebhookConfig = {
  secret: string;
  url?: string;
  timeoutSeconds: number;
};

export const webhookProvider = defineProvider<WebhookConfig>({
  kind: "webhook",
  channel: Channel.WEBHOOK,
  description: "A signed JSON POST per message to the contact's webhook URL (or one URL); replies and receipts signed back.",
  defaultRatePerSecond: 100,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["secret"],
    properties: {
      secret: { type: "string", writeOnly: true, minLength: 16, description: "HMAC-SHA256 key for Polity-Signature, both ways" },
      url: { type: "string", format: "uri", pattern: "^https?://", description: "Send every message here (the contact's address goes in `to`); else to the contact's webhook address" },
      timeoutSeconds: { type: "integer", minimum: 1, maximum: 60, default: 10, description: "How long one POST may take" },
    },
  },

  async send({ config, fetch, signal }, message) {
    const url = config.url ?? message.to;
    if (!/^https?:\/\//i.test(url)) throw permanentFailure(`not an http(s) webhook address: ${url.slice(0, 200)}`);
    const body = JSON.stringify({
      type: "message", id: message.messageId, idempotencyKey: message.idempotencyKey, to: message.to,
      subject: message.subject, text: message.text, html: message.html, inReplyTo: message.inReplyTo,
      unsubscribeUrl: message.unsubscribeUrl, statusCallbackUrl: message.statusCallbackUrl,
    });
    const result = await deliverOnce({
      fetch: (input, init = {}) => fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal }),
      url, body, secret: config.secret, headers: { "Idempotency-Key": message.idempotencyKey }, timeoutMs: config.timeoutSeconds * 1000,
    });
    const reason = result.status !== undefined ? `HTTP ${result.status}${result.responseExcerpt ? `: ${result.responseExcerpt.slice(0, 300)}` : ""}` : result.error ?? "no answer";
    if (result.outcome === "retry") throw transientFailure(reason, { retryAfterMs: result.retryAfterMs });
    if (result.outcome === "give_up") throw permanentFailure(reason);
    // Reports and replies refer to the message by the `id` we sent.
    return { providerMessageId: message.messageId, state: "SENT" };
  },

  inbound: {
    verify: (req, config) => Boolean(config.secret) && verifySignature(config.secret, headerOf(req, SIGNATURE_HEADER), req.rawBody),
    parse: (req) => webhookEvents(JSON.parse(req.rawBody.toString("utf8"))),
  },
});
