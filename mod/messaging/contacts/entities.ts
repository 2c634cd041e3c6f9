// Contacts and consent. A contact belongs to an org (and optionally a community); community members are never
// copied here — only their opt-outs are, keyed by (org, account). Writes and lists go through raw SQL
// (sys/core/sql.ts); these schemas declare the tables for the ORM and the migration check.
import { defineEntity, p } from "@mikro-orm/core";

// An erased contact keeps its row (messages still name it) with every personal field blanked and `erasedAt` set.
export const ContactEntity = defineEntity({
  name: "MessagingContact",
  tableName: "messaging_contacts",
  indexes: [{ properties: ["orgId", "createdAt", "id"] }, { properties: ["orgId", "communityId"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    communityId: p.uuid().nullable(),
    name: p.string().length(200),
    // BCP 47; "" = the org's default.
    language: p.string().length(35),
    // IANA; "" = UTC.
    timeZone: p.string().length(64),
    // ISO 3166 region that national phone numbers of this contact are read in ("" = international form only).
    defaultRegion: p.string().length(2),
    categories: p.array().$type<string[]>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    erasedAt: p.datetime().nullable(),
  },
});

// One address per channel per contact, with its current consent. An address belongs to at most one contact of
// an org, so an inbound message (or a STOP) names exactly one contact.
export const ContactAddressEntity = defineEntity({
  name: "MessagingContactAddress",
  tableName: "messaging_contact_addresses",
  uniques: [{ properties: ["orgId", "channel", "address"] }],
  properties: {
    contactId: p.uuid().primary(),
    channel: p.smallint().primary(),
    orgId: p.uuid(),
    address: p.string().length(2000),
    consentGranted: p.boolean(),
    consentSource: p.string().length(200),
    consentAt: p.datetime().nullable(),
    // The person asked to stop (an SMS STOP, an unsubscribe link); cleared only by a later grant.
    optedOutAt: p.datetime().nullable(),
  },
});

// A member's opt-out of a channel: membership implies consent to the community's transactional messages on
// email until the member opts out.
export const MemberOptOutEntity = defineEntity({
  name: "MessagingMemberOptOut",
  tableName: "messaging_member_opt_outs",
  properties: {
    orgId: p.uuid().primary(),
    accountId: p.uuid().primary(),
    channel: p.smallint().primary(),
    source: p.string().length(200),
    at: p.datetime(),
  },
});

// Every consent change, in order: what was decided, by whom or through what (`source`), and when.
export const ConsentEventEntity = defineEntity({
  name: "MessagingConsentEvent",
  tableName: "messaging_consent_events",
  indexes: [{ properties: ["orgId", "contactId", "at"] }, { properties: ["orgId", "accountId", "at"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    contactId: p.uuid().nullable(),
    accountId: p.uuid().nullable(),
    channel: p.smallint(),
    // "granted", "withdrawn" or "opted_out".
    change: p.string().length(16),
    source: p.string().length(200),
    at: p.datetime(),
  },
});

export const contactEntities = [ContactEntity, ContactAddressEntity, MemberOptOutEntity, ConsentEventEntity];
