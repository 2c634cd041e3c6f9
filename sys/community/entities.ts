// Communities, their join requests and invites, and the membership event feed. Membership itself is role
// bindings (sys/authz) on "community/<id>"; these tables hold only what the bindings cannot.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";
import { Account, Org } from "../account/index.js";

const now = () => new Date();

export const COMMUNITY_ROLES = ["admin", "moderator", "member", "observer"] as const;
export const EVENT_KINDS = ["joined", "requested", "approved", "denied", "invited", "left", "removed", "role_changed"] as const;

export const Community = defineEntity({
  name: "Community",
  tableName: "communities",
  uniques: [{ properties: ["orgId", "slug"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.manyToOne(Org).mapToPk().fieldName("org_id").deleteRule("cascade"),
    slug: p.string().length(63),
    name: p.string().length(100),
    description: p.text().default(""),
    visibility: p.enum(["public", "members_only"]),
    joinPolicy: p.enum(["open", "approval", "invite"]),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
    // Optimistic lock, exposed as the etag.
    version: p.integer().version(),
  },
});
export type Community = InferEntity<typeof Community>;

export const JoinRequest = defineEntity({
  name: "JoinRequest",
  tableName: "join_requests",
  // One row per (community, account): filing again after a denial reopens it.
  uniques: [{ properties: ["communityId", "accountId"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.manyToOne(Community).mapToPk().fieldName("community_id").deleteRule("cascade"),
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade"),
    message: p.text().default(""),
    status: p.enum(["pending", "approved", "denied"]),
    createdAt: p.datetime(),
    decidedAt: p.datetime().nullable(),
    decidedBy: p.uuid().nullable(),
  },
});
export type JoinRequest = InferEntity<typeof JoinRequest>;

export const Invite = defineEntity({
  name: "Invite",
  tableName: "invites",
  properties: {
    id: p.uuid().primary(),
    communityId: p.manyToOne(Community).mapToPk().fieldName("community_id").deleteRule("cascade"),
    // SHA-256 of the token, which is shown once and never stored.
    tokenHash: p.string().length(64).unique(),
    role: p.enum([...COMMUNITY_ROLES]),
    // When set, only the account with this (lower-cased) email may accept.
    email: p.string().length(254).nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    usedBy: p.uuid().nullable(),
    // Plain id: the invite's history outlives its creator's account.
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
});
export type Invite = InferEntity<typeof Invite>;

export const MembershipEvent = defineEntity({
  name: "MembershipEvent",
  tableName: "membership_events",
  uniques: [{ properties: ["communityId", "sequence"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.manyToOne(Community).mapToPk().fieldName("community_id").deleteRule("cascade"),
    // 1, 2, 3… per community with no gaps: taken from the counter row in the same transaction as the change.
    sequence: p.integer(),
    kind: p.enum([...EVENT_KINDS]),
    // Plain ids: the feed outlives accounts. Null account for an invite not yet accepted.
    accountId: p.uuid().nullable(),
    actorId: p.uuid().nullable(),
    role: p.enum([...COMMUNITY_ROLES]).nullable(),
    time: p.datetime(),
  },
});
export type MembershipEvent = InferEntity<typeof MembershipEvent>;

/** The last sequence handed out per community; its row lock serialises concurrent changes to one community. */
export const MembershipEventCounter = defineEntity({
  name: "MembershipEventCounter",
  tableName: "membership_event_counters",
  properties: {
    communityId: p.manyToOne(Community).mapToPk().fieldName("community_id").deleteRule("cascade").primary(),
    lastSequence: p.integer(),
  },
});
export type MembershipEventCounter = InferEntity<typeof MembershipEventCounter>;

export const communityEntities = [Community, JoinRequest, Invite, MembershipEvent, MembershipEventCounter];
