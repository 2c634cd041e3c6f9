// The providers (configured "services") of an org, the chains that order them, and nothing else. Secret config
// fields (writeOnly in the provider kind's schema) live sealed in `secrets` with the row id as associated data.
import { defineEntity, p } from "@mikro-orm/core";

export const ProviderEntity = defineEntity({
  name: "MessagingProvider",
  tableName: "messaging_providers",
  uniques: [{ properties: ["orgId", "name"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    kind: p.string().length(63),
    /** The Channel enum's number (fixed by the kind). */
    channel: p.integer(),
    name: p.string().length(200),
    config: p.json().$type<Record<string, unknown>>(),
    secrets: p.text().nullable(),
    enabled: p.boolean(),
    /** The org's override of the kind's default rate; null = the kind's default. */
    ratePerSecond: p.double().$type<number>().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

// One ordered list of providers per scope: the org default (scope "org", key ""), a category (key = category),
// or one contact (key = contact id).
export const ChainEntity = defineEntity({
  name: "MessagingChain",
  tableName: "messaging_chains",
  uniques: [{ properties: ["orgId", "scope", "scopeKey"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    scope: p.string().length(16),
    scopeKey: p.string().length(200),
    providerIds: p.array().$type<string[]>(),
    updatedBy: p.string().length(64),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
