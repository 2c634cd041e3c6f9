// Linked identities: which platform accounts (a GitHub user, a Discord user…) belong to which Polity account,
// and the one-time states of GitHub OAuth links in progress.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";
import { Account } from "../account/index.js";

export const LINK_TYPES = ["oauth", "admin", "email"] as const;
// In increasing order of confidence: a link only ever moves right.
export const LINK_QUALITIES = ["unconfirmed", "confirmed_weak", "confirmed_strong"] as const;

export const IdentityLink = defineEntity({
  name: "IdentityLink",
  tableName: "identity_links",
  // A platform user belongs to at most one account; the constraint settles concurrent links of one user.
  uniques: [{ properties: ["platform", "platformUserId"] }],
  indexes: [{ properties: ["accountId", "platform"] }],
  properties: {
    id: p.uuid().primary(),
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade"),
    platform: p.string().length(32),
    platformUserId: p.string().length(200),
    platformUsername: p.string().length(200).default(""),
    linkType: p.enum([...LINK_TYPES]),
    linkQuality: p.enum([...LINK_QUALITIES]),
    linkedAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type IdentityLink = InferEntity<typeof IdentityLink>;

/** A GitHub link in progress: the state sent through GitHub's authorize page, bound to the account that asked. */
export const IdentityLinkState = defineEntity({
  name: "IdentityLinkState",
  tableName: "identity_link_states",
  properties: {
    // SHA-256 of the state, which is handed out once and never stored.
    stateHash: p.string().length(64).primary(),
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade"),
    platform: p.string().length(32),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
});
export type IdentityLinkState = InferEntity<typeof IdentityLinkState>;

export const identityEntities = [IdentityLink, IdentityLinkState];
