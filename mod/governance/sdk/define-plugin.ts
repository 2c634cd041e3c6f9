// The contract between the governance module and a plugin. A plugin is one file that calls definePlugin: its
// config schema, its actions, its asynchronous processes, the webhooks it receives from its platform and the
// events it produces. The module does the rest: storage, secrets, validation, authorization, the activity
// log, sweeps, callbacks and delivery of events to drivers.
import type { Logger } from "pino";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** A JSON Schema (draft-07). In a config schema, `writeOnly: true` marks a secret: encrypted, never returned. */
export type JsonSchema = JsonObject;

/** An event a plugin reports; the module adds the envelope (id, source, time, community) and delivers it. */
export interface PluginEvent {
  /** The event name without the plugin prefix, e.g. "post_created" (delivered as "discourse.post_created"). */
  type: string;
  data: JsonObject;
  /** Who caused it on the platform, e.g. {user_id: "alice", provider: "discourse"}. */
  initiator?: JsonObject;
}

/** Small per-instance key/value storage that survives restarts (cursors, platform ids, lucky numbers). */
export interface StateStore {
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The Polity calls a plugin may make on behalf of whoever started its work (the `polity` plugin uses them). */
export interface PolityPort {
  /** Creates and opens a poll in the instance's community; returns its id. */
  createPoll(input: { title: string; options: string[]; details?: string; closingAt?: Date }): Promise<string>;
  /** The poll's state and, once closed, its result: the winning options and each option's votes. */
  pollOutcome(pollId: string): Promise<{ state: "draft" | "scheduled" | "open" | "closed"; outcome: JsonObject }>;
  closePoll(pollId: string): Promise<void>;
}

/** What every plugin hook gets: its instance's config (defaults filled, secrets decrypted) and tools. */
export interface InstanceContext {
  instanceId: string;
  communityId: string;
  platformId: string;
  config: JsonObject;
  state: StateStore;
  /** Outgoing HTTP. Refuses private addresses unless the operator allows them (POLITY_OUTBOUND_ALLOW_PRIVATE). */
  fetch: typeof fetch;
  logger: Logger;
  now(): Date;
  /** The account that caused this work ("" for webhooks and sweeps). */
  actorId: string;
  polity: PolityPort;
}

export interface ActionDefinition {
  description: string;
  input: JsonSchema;
  output?: JsonSchema;
  /** Runnable by anyone, without signing in (RunPublicAction, POST /api/action/…). */
  public?: boolean;
  run(ctx: InstanceContext, parameters: JsonObject): Promise<Json>;
}

export type ProcessStatusName = "pending" | "completed" | "failed";

/** A process as a plugin sees it: the driver's input, the outcome so far and the plugin's private data. */
export interface ProcessView {
  id: string;
  input: JsonObject;
  outcome: JsonObject;
  /** Whatever the plugin saved with `data` (a platform poll id, a deadline); never shown to drivers. */
  data: JsonObject;
  createdAt: Date;
}

/** What a hook reports; fields left out keep their value. */
export interface ProcessUpdate {
  status?: ProcessStatusName;
  outcome?: JsonObject;
  data?: JsonObject;
  errors?: JsonObject;
  /** Ask to be updated again at this time (sooner than the sweep interval), e.g. when a delay ends. */
  nextUpdateAt?: Date;
}

export interface ProcessDefinition {
  description: string;
  input: JsonSchema;
  outcome: JsonSchema;
  /** Starts the process on the platform. Throwing leaves no process behind. */
  start(ctx: InstanceContext, process: ProcessView): Promise<ProcessUpdate>;
  /** Called by the sweep while the process is pending. */
  update?(ctx: InstanceContext, process: ProcessView): Promise<ProcessUpdate | void>;
  /** Ends the process now (CloseProcess, DELETE in the Metagov API); the outcome becomes final. */
  close?(ctx: InstanceContext, process: ProcessView): Promise<ProcessUpdate | void>;
  /** A verified webhook of this instance, offered to each of its pending processes of this kind. */
  receiveWebhook?(ctx: InstanceContext, process: ProcessView, delivery: WebhookDelivery): Promise<ProcessUpdate | void>;
}

export interface WebhookRequest {
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  /** The bytes as received: signatures are checked over these, before anything is parsed. */
  rawBody: Buffer;
  /** The query string's parameters (platforms that cannot sign put a shared token in the URL). */
  query: Record<string, string>;
}

export interface WebhookDelivery extends WebhookRequest {
  /** The body parsed as JSON (after the signature was verified), or null when it is not JSON. */
  body: Json;
}

export interface WebhookReceiver {
  /** True when the platform's signature over rawBody is valid for this instance's config. */
  verify(request: WebhookRequest, config: JsonObject): boolean | Promise<boolean>;
  /** The platform's id of this delivery (redeliveries repeat it); by default a hash of the body. */
  deliveryId?(request: WebhookRequest): string | undefined;
  /** For the platform-wide path /api/hooks/{plugin}: the platform id of the instance this delivery is for. */
  platformId?(request: WebhookRequest): string | undefined;
  /**
   * A platform's handshake, answered at once and not stored (Slack's url_verification challenge, Discord's PING):
   * the status and JSON body to send, or undefined for an ordinary delivery. Called only after verify passed.
   */
  handshake?(request: WebhookRequest): { status: number; body: Json } | undefined;
  /**
   * The answer a platform needs for a delivery that was stored (Discord wants an interaction response within
   * 3 s, e.g. a deferred one, and the plugin follows up later): default `{status: "accepted"}`.
   */
  acknowledge?(request: WebhookRequest): { status: number; body: Json } | undefined;
  /** Turns a verified delivery into events (pending processes get it too, through receiveWebhook). */
  handle(ctx: InstanceContext, delivery: WebhookDelivery): Promise<PluginEvent[] | void>;
}

/** A periodic task producing events, e.g. polling a platform that has no webhooks. */
export interface EventProducer {
  intervalSeconds: number;
  produce(ctx: InstanceContext): Promise<PluginEvent[] | void>;
}

export interface PluginDefinition {
  /** Lower-case, e.g. "discourse". */
  name: string;
  description: string;
  authType: "none" | "api_key" | "oauth";
  /** JSON Schema (draft-07) of an instance's config; `default`s are filled in, `writeOnly` fields are secrets. */
  config: JsonSchema;
  actions?: Record<string, ActionDefinition>;
  processes?: Record<string, ProcessDefinition>;
  /** The event names it produces (without the plugin prefix). */
  events?: string[];
  webhook?: WebhookReceiver;
  producer?: EventProducer;
  /** A config field holding the platform id (Slack's team_id): the instance's platform id when none is given. */
  platformIdFrom?: string;
}

export function definePlugin(plugin: PluginDefinition): PluginDefinition {
  return plugin;
}

/** An error a plugin throws for bad input the schema could not catch (INVALID_ARGUMENT to the caller). */
export function invalidInput(message: string): Error {
  return Object.assign(new Error(message), { pluginError: "invalid_input" as const });
}

/** An error from the platform (UNAVAILABLE to the caller; a process start that throws it leaves nothing). */
export function platformError(message: string): Error {
  return Object.assign(new Error(message), { pluginError: "platform" as const });
}
