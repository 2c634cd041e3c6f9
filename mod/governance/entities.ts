// mod-governance's tables. Community and account ids are references into sys by value only. Writes on the hot
// paths go through raw SQL (sys/core/sql.ts); these schemas declare the tables for the ORM and the migration check.
import { defineEntity, p } from "@mikro-orm/core";

// A plugin enabled in a community. Secret config fields live sealed (AES-GCM) in `secrets`, never in `config`.
export const PluginInstanceEntity = defineEntity({
  name: "GovernanceInstance",
  tableName: "governance_instances",
  uniques: [{ properties: ["communityId", "plugin", "platformId"] }],
  indexes: [{ properties: ["plugin", "platformId"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    plugin: p.string().length(63),
    platformId: p.string().length(200),
    config: p.json().$type<Record<string, unknown>>(),
    secrets: p.text().nullable(),
    enabled: p.boolean(),
    // When its event producer runs next (null: the plugin has none, or the instance is disabled).
    nextProduceAt: p.datetime().nullable().index(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const PluginStateEntity = defineEntity({
  name: "GovernanceState",
  tableName: "governance_state",
  properties: {
    instanceId: p.uuid().primary(),
    key: p.string().length(200).primary(),
    value: p.json().$type<unknown>(),
  },
});

// A governance process: created → pending → completed | failed | cancelled. `data` is the plugin's own.
export const ProcessEntity = defineEntity({
  name: "GovernanceProcess",
  tableName: "governance_processes",
  indexes: [{ properties: ["communityId", "createdAt"] }, { properties: ["instanceId", "status"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    instanceId: p.uuid(),
    plugin: p.string().length(63),
    slug: p.string().length(63),
    status: p.string().length(16),
    input: p.json().$type<Record<string, unknown>>(),
    outcome: p.json().$type<Record<string, unknown>>(),
    errors: p.json().$type<Record<string, unknown>>(),
    data: p.json().$type<Record<string, unknown>>(),
    callbackUrl: p.string().length(2000),
    createdBy: p.string().length(64),
    // The sweep's next visit (and, while a replica works on it, the end of that replica's lease).
    nextUpdateAt: p.datetime().nullable().index(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

// Each community's event stream, numbered without gaps under its head row's lock, so a cursor never skips an
// event that commits late.
export const EventEntity = defineEntity({
  name: "GovernanceEvent",
  tableName: "governance_events",
  properties: {
    communityId: p.uuid().primary(),
    sequence: p.bigint("number").primary(),
    id: p.uuid().unique(),
    /** Null for events another mod module appended (messaging's received messages). */
    instanceId: p.uuid().nullable(),
    type: p.string().length(130),
    source: p.string().length(300),
    time: p.datetime(),
    data: p.json().$type<Record<string, unknown>>(),
    initiator: p.json().$type<Record<string, unknown>>(),
  },
});

export const EventHeadEntity = defineEntity({
  name: "GovernanceEventHead",
  tableName: "governance_event_heads",
  properties: {
    communityId: p.uuid().primary(),
    sequence: p.bigint("number"),
  },
});

export const SubscriptionEntity = defineEntity({
  name: "GovernanceSubscription",
  tableName: "governance_subscriptions",
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid().index(),
    url: p.string().length(2000),
    eventTypes: p.array().$type<string[]>(),
    secret: p.text(),
    createdBy: p.string().length(64),
    createdAt: p.datetime(),
  },
});

// The community's key for signing process callbacks; the previous one is still signed with for a day.
export const CallbackSecretEntity = defineEntity({
  name: "GovernanceCallbackSecret",
  tableName: "governance_callback_secrets",
  properties: {
    communityId: p.uuid().primary(),
    secret: p.text(),
    previousSecret: p.text().nullable(),
    rotatedAt: p.datetime(),
  },
});

// An outgoing delivery (a process callback or a subscription's event): its body is fixed when it is queued, in
// the transaction of the change it reports.
export const DeliveryEntity = defineEntity({
  name: "GovernanceDelivery",
  tableName: "governance_deliveries",
  indexes: [{ properties: ["communityId", "createdAt"] }, { properties: ["status", "nextAttemptAt"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    kind: p.string().length(16),
    url: p.string().length(2000),
    processId: p.uuid().nullable(),
    subscriptionId: p.uuid().nullable(),
    eventId: p.uuid().nullable(),
    body: p.text(),
    status: p.string().length(16),
    attempts: p.integer(),
    lastError: p.text(),
    nextAttemptAt: p.datetime(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

// Incoming webhooks, verified and stored before they are answered; processed once per (instance, delivery id).
export const InboxEntity = defineEntity({
  name: "GovernanceInbox",
  tableName: "governance_inbox",
  uniques: [{ properties: ["instanceId", "deliveryId"] }],
  indexes: [{ properties: ["status", "nextAttemptAt"] }],
  properties: {
    id: p.uuid().primary(),
    instanceId: p.uuid(),
    deliveryId: p.string().length(200),
    headers: p.json().$type<Record<string, string>>(),
    query: p.json().$type<Record<string, string>>(),
    body: p.blob(),
    status: p.string().length(16),
    attempts: p.integer(),
    lastError: p.text(),
    nextAttemptAt: p.datetime(),
    receivedAt: p.datetime(),
  },
});

export const governanceEntities = [PluginInstanceEntity, PluginStateEntity, ProcessEntity, EventEntity, EventHeadEntity, SubscriptionEntity, CallbackSecretEntity, DeliveryEntity, InboxEntity];
