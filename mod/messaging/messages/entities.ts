// Messages (outgoing and incoming), the timestamped history of every state a message went through, and every
// attempt a provider made to carry it. State and direction columns hold the proto enums' numbers. Hot paths
// (the sender, blasts, inbound receipts) write through raw SQL; these schemas declare the tables.
import { defineEntity, p } from "@mikro-orm/core";

export const MessageEntity = defineEntity({
  name: "MessagingMessage",
  tableName: "messaging_messages",
  uniques: [{ properties: ["orgId", "idempotencyKey"] }],
  indexes: [
    { properties: ["orgId", "createdAt", "id"] },
    { properties: ["orgId", "contactId", "createdAt"] },
    { properties: ["blastId", "state"] },
    { properties: ["providerId", "providerMessageId"] },
    { properties: ["state", "sendAt"] },
  ],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    direction: p.integer(),
    state: p.integer(),
    contactId: p.uuid().nullable(),
    recipientCommunityId: p.uuid().nullable(),
    recipientAccountId: p.uuid().nullable(),
    category: p.string().length(100).nullable(),
    subject: p.text().nullable(),
    text: p.text(),
    html: p.text().nullable(),
    templateId: p.uuid().nullable(),
    language: p.string().length(35).nullable(),
    /** When the sender may take it (outgoing); when it arrived (incoming). */
    sendAt: p.datetime(),
    idempotencyKey: p.string().length(200).nullable(),
    replyToMessageId: p.uuid().nullable(),
    blastId: p.uuid().nullable(),
    /** The provider that carried (or is carrying) it, or that it arrived through. */
    providerId: p.uuid().nullable(),
    providerMessageId: p.string().length(200).nullable(),
    /** The Channel enum's number of the provider that carried it. */
    channel: p.integer().nullable(),
    /** The address it went to (outgoing) or came from (incoming). */
    address: p.string().length(320).nullable(),
    /** Which pass through the chain this is: RetryMessage starts the next one (earlier attempts stay). */
    round: p.integer(),
    createdBy: p.string().length(64).nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

// One row per transition. `txid` is the writing transaction's id: WatchMessages reads rows only from
// transactions older than every running one, ordered by (txid, id), so a late commit is never skipped.
export const MessageHistoryEntity = defineEntity({
  name: "MessagingMessageHistory",
  tableName: "messaging_message_history",
  indexes: [{ properties: ["messageId", "id"] }, { properties: ["orgId", "txid", "id"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    messageId: p.uuid(),
    orgId: p.uuid(),
    contactId: p.uuid().nullable(),
    state: p.integer(),
    providerId: p.uuid().nullable(),
    reason: p.text().nullable(),
    at: p.datetime(),
    txid: p.bigint("number"),
  },
});

export type AttemptOutcome = "sent" | "transient" | "permanent";

export const SendAttemptEntity = defineEntity({
  name: "MessagingSendAttempt",
  tableName: "messaging_send_attempts",
  indexes: [{ properties: ["messageId", "startedAt"] }],
  properties: {
    id: p.uuid().primary(),
    messageId: p.uuid(),
    providerId: p.uuid(),
    round: p.integer(),
    /** 1-based, per (message, round, provider). */
    attempt: p.integer(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    outcome: p.string().length(16).$type<AttemptOutcome>().nullable(),
    reason: p.text().nullable(),
    retryAfterMs: p.integer().nullable(),
    providerMessageId: p.string().length(200).nullable(),
  },
});
