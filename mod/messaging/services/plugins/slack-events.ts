// Replies through Slack's Events API (subscribe the app to message.im, and message.channels for channels, with
// the provider's webhook URL as the Request URL). Slack signs each request:
//   X-Slack-Signature: v0=<hex HMAC-SHA256(signingSecret, "v0:<X-Slack-Request-Timestamp>:<raw body>")>
// and a timestamp more than five minutes off is refused (a replay). Registering the URL sends a url_verification
// request whose challenge is echoed back.
import { createHmac } from "node:crypto";
import type { InboundEvent, InboundReply, InboundRequest } from "../sdk/define-provider.js";
import { headerOf, jsonObjectBody, sameSecret } from "../sdk/inbound.js";

const TOLERANCE_SECONDS = 300;

interface SlackMessageEvent {
  type?: string;
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  channel?: string;
}

export const slackInbound = {
  verify(req: InboundRequest, config: { signingSecret?: string }, now = Date.now()): boolean {
    const timestamp = headerOf(req, "X-Slack-Request-Timestamp") ?? "";
    if (!config.signingSecret || !/^\d{1,12}$/.test(timestamp)) return false;
    if (Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
    const expected = `v0=${createHmac("sha256", config.signingSecret).update(`v0:${timestamp}:`).update(req.rawBody).digest("hex")}`;
    return sameSecret(headerOf(req, "X-Slack-Signature"), expected);
  },

  parse(req: InboundRequest): InboundEvent[] {
    // Interactivity (button clicks) comes form-encoded: nothing to record here.
    if (req.rawBody[0] !== 0x7b) return [];
    const body = jsonObjectBody(req.rawBody);
    if (body.type !== "event_callback") return [];
    const event = (body.event ?? {}) as SlackMessageEvent;
    // Edits, deletions, joins and the bot's own posts are not messages from a person.
    if (event.type !== "message" || event.subtype || event.bot_id || !event.user || !event.channel || !event.ts) return [];
    const threaded = event.thread_ts && event.thread_ts !== event.ts;
    const seconds = Number(event.ts);
    return [{
      kind: "message", providerMessageId: `${event.channel}:${event.ts}`, from: event.user, text: event.text ?? "",
      ...(threaded ? { inReplyTo: `${event.channel}:${event.thread_ts}` } : {}),
      ...(Number.isFinite(seconds) ? { receivedAt: new Date(seconds * 1000) } : {}),
    }];
  },

  reply(_events: InboundEvent[], req?: InboundRequest): InboundReply {
    const challenge = req ? challengeOf(req) : undefined;
    if (challenge !== undefined) return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: challenge };
    return { status: 200, headers: { "content-type": "application/json" }, body: "{}" };
  },
};

function challengeOf(req: InboundRequest): string | undefined {
  try {
    const body = jsonObjectBody(req.rawBody);
    return body.type === "url_verification" && typeof body.challenge === "string" ? body.challenge : undefined;
  } catch {
    return undefined;
  }
}
