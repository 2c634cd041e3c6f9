// The contract between the messaging module and a provider kind (a plugin): one file that calls defineProvider
// with its config schema, how it sends one message, and, when the provider talks back, how its webhook calls are
// verified and read. The module does the rest: storage, sealed secrets, chains, retries, rate limits, state.
import type { Logger } from "pino";
import type { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { JsonObject, JsonSchema } from "../../../governance/index.js";

export type { Json, JsonObject, JsonSchema } from "../../../governance/index.js";
export { classifyFailure, permanentFailure, transientFailure, type FailureClass } from "./failures.js";

export interface OutgoingMessage {
  messageId: string;
  /** The same on every retry of this message with this provider: providers that accept one dedupe by it. */
  idempotencyKey: string;
  /** The address on the provider's channel (email address, E.164 number, chat id, URL, user id). */
  to: string;
  subject?: string;
  text: string;
  html?: string;
  /** The provider's id of the message this one answers. */
  inReplyTo?: string;
  /** RFC 8058 one-click unsubscribe link for this recipient and channel. */
  unsubscribeUrl?: string;
  /** Where the provider should report delivery (the provider's webhook URL). */
  statusCallbackUrl?: string;
}

export interface SendResult {
  providerMessageId: string;
  /** What the provider's answer proves; SENT when left out. */
  state?: "SENT" | "DELIVERED_SERVICE";
}

export type InboundEvent =
  | { kind: "message"; providerMessageId: string; from: string; text: string; inReplyTo?: string; receivedAt?: Date }
  | { kind: "status"; providerMessageId: string; state: "DELIVERED_SERVICE" | "DELIVERED_USER" | "READ" | "FAILED"; reason?: string };

export interface InboundRequest {
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
  /** The public URL the provider called (its signature may cover it). */
  url: string;
}

export interface SendContext<C extends JsonObject = JsonObject> {
  /** The provider's config, defaults filled and secrets opened. */
  config: C;
  /** Outgoing HTTP (refuses private addresses unless the operator allows them). */
  fetch: typeof fetch;
  signal: AbortSignal;
  logger: Logger;
}

export interface InboundReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ProviderDefinition<C extends JsonObject = JsonObject> {
  kind: string;
  channel: Channel;
  description: string;
  /** JSON Schema (draft-07) of the config; properties with `writeOnly: true` are secrets (sealed, never returned). */
  configSchema: JsonSchema;
  /** The provider's own sending limit, used when the operator sets none. */
  defaultRatePerSecond?: number;
  /** Sends one message; throws transientFailure/permanentFailure (anything else is classified by classifyFailure). */
  send(ctx: SendContext<C>, message: OutgoingMessage): Promise<SendResult>;
  inbound?: {
    /** True when the request carries a valid signature for this config; must not throw on garbage. */
    verify(req: InboundRequest, config: C): boolean;
    /** The events a verified request carries (may be none). */
    parse(req: InboundRequest, config: C): InboundEvent[];
    /**
     * The answer the provider expects (e.g. empty TwiML); a JSON 200 when left out. `req` is the verified request,
     * for answers that echo it (Slack's url_verification challenge).
     */
    reply?(events: InboundEvent[], req?: InboundRequest): InboundReply;
  };
}

export function defineProvider<C extends JsonObject = JsonObject>(def: ProviderDefinition<C>): ProviderDefinition<C> {
  return def;
}
