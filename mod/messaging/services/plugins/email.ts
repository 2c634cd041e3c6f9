// email: SMTP through nodemailer. A message is SENT once the SMTP server accepts it. The server's reply code
// decides what a refusal means: 4xx (greylisting, mailbox busy, too many connections) is tried again later,
// 5xx (mailbox unavailable, relaying denied, bad credentials) moves on to the next provider at once.
// Replies come back through an inbound-parse webhook (see email-inbound.ts).
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { classifyFailure, defineProvider, permanentFailure, transientFailure } from "../sdk/define-provider.js";
import { emailInbound } from "./email-inbound.js";
import { messageIdFor, replyHeaders, unsubscribeHeaders } from "./email-headers.js";
import { lazyModule } from "../../../../sys/core/lazy-module.js";

const nodemailer = lazyModule<typeof import("nodemailer")>("nodemailer");

export type EmailConfig = {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  from: string;
  replyTo?: string;
  inboundSecret?: string;
  timeoutSeconds: number;
};

export const emailProvider = defineProvider<EmailConfig>({
  kind: "email",
  channel: Channel.EMAIL,
  description: "Email through an SMTP server (your own or a relay's); replies through an inbound-parse webhook.",
  defaultRatePerSecond: 10,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["host", "from"],
    properties: {
      host: { type: "string", minLength: 1, description: "SMTP server host name" },
      port: { type: "integer", minimum: 1, maximum: 65535, default: 587, description: "587 (STARTTLS) or 465 (TLS)" },
      secure: { type: "boolean", default: false, description: "TLS from the first byte (port 465); false upgrades with STARTTLS when offered" },
      username: { type: "string", description: "SMTP user name (leave out for a server that needs none)" },
      password: { type: "string", writeOnly: true, description: "SMTP password" },
      from: { type: "string", minLength: 3, description: "Sender, e.g. \"Polity <noreply@example.org>\"" },
      replyTo: { type: "string", description: "Where replies go, e.g. the inbound-parse address" },
      inboundSecret: { type: "string", writeOnly: true, minLength: 16, description: "HMAC-SHA256 key the inbound-parse webhook signs with" },
      timeoutSeconds: { type: "integer", minimum: 1, maximum: 300, default: 30, description: "Connection and reply timeout" },
    },
  },

  async send({ config, signal }, message) {
    const timeout = config.timeoutSeconds * 1000;
    const transport = nodemailer().createTransport({
      host: config.host, port: config.port, secure: config.secure,
      ...(config.username ? { auth: { user: config.username, pass: config.password ?? "" } } : {}),
      connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    });
    const abort = () => transport.close();
    signal.addEventListener("abort", abort, { once: true });
    const messageId = messageIdFor(message.idempotencyKey, config.from);
    try {
      if (signal.aborted) throw transientFailure("aborted before sending");
      await transport.sendMail({
        from: config.from,
        to: message.to,
        ...(config.replyTo ? { replyTo: config.replyTo } : {}),
        subject: message.subject ?? "",
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        messageId,
        ...replyHeaders(message.inReplyTo),
        headers: unsubscribeHeaders(message.unsubscribeUrl),
      });
      return { providerMessageId: messageId, state: "SENT" };
    } catch (error) {
      throw smtpFailure(error);
    } finally {
      signal.removeEventListener("abort", abort);
      transport.close();
    }
  },

  inbound: emailInbound,
});

/** nodemailer's errors carry the SMTP reply code: 4xx try again, 5xx do not. */
function smtpFailure(error: unknown): Error {
  const { responseCode, response } = (error ?? {}) as { responseCode?: unknown; response?: unknown };
  const detail = typeof response === "string" && response ? response : error instanceof Error ? error.message : String(error);
  if (typeof responseCode === "number" && responseCode >= 400 && responseCode < 500) return transientFailure(`SMTP ${detail}`);
  if (typeof responseCode === "number" && responseCode >= 500 && responseCode < 600) return permanentFailure(`SMTP ${detail}`);
  const { transient, reason, retryAfterMs } = classifyFailure(error);
  return transient ? transientFailure(`SMTP: ${reason}`, { retryAfterMs }) : permanentFailure(`SMTP: ${reason}`);
}
