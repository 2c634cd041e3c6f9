// A blast: one template to a contact filter. Expansion into messages runs in the worker tier in chunks; each
// chunk's transaction advances `cursor`, so a killed worker resumes where the last chunk committed, and the
// (blast, recipient) key refuses a recipient twice whatever happens.
import { defineEntity, p } from "@mikro-orm/core";

export type BlastState = "RUNNING" | "PAUSED" | "CANCELLED" | "DONE";

export interface BlastFilter {
  categories?: string[];
  communityId?: string;
  /** The Channel enum's number: only recipients with a consented address on it. */
  channel?: number;
}

export const BlastEntity = defineEntity({
  name: "MessagingBlast",
  tableName: "messaging_blasts",
  indexes: [{ properties: ["orgId", "createdAt", "id"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    name: p.string().length(200),
    templateId: p.uuid(),
    /** Used for recipients without a language of their own ("" = the template's default). */
    language: p.string().length(35),
    filter: p.json().$type<BlastFilter>(),
    variables: p.json().$type<Record<string, string>>(),
    sendAt: p.datetime().nullable(),
    /** A wall time read in each recipient's zone ("2026-12-01T09:00"), or "". */
    localTime: p.string().length(19),
    quietStart: p.string().length(5),
    quietEnd: p.string().length(5),
    state: p.string().length(16).$type<BlastState>(),
    /** selectRecipients' cursor after the last committed chunk; null before the first. */
    cursor: p.text().nullable(),
    expanded: p.boolean(),
    recipientsTotal: p.integer(),
    /** Recipients the filter matched but who could not be rendered or reached (no variant, no address). */
    skipped: p.integer(),
    createdBy: p.string().length(64),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const BlastRecipientEntity = defineEntity({
  name: "MessagingBlastRecipient",
  tableName: "messaging_blast_recipients",
  properties: {
    blastId: p.uuid().primary(),
    /** The contact id, or "member:{communityId}:{accountId}". */
    recipientKey: p.string().length(200).primary(),
    messageId: p.uuid().nullable(),
  },
});
