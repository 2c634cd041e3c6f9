// Rows ↔ messages: communities, roles, event kinds. The etag is the row's optimistic-lock version.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Community as CommunityMessage,
  CommunitySchema,
  JoinPolicy,
  MemberRole,
  MembershipEventKind,
  Visibility,
} from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import type { CommunityRole } from "../core/ports/directory-port.js";
import { etagOf } from "../shared/etag.js";
import type { Community } from "./entities.js";

export type VisibilityName = Community["visibility"];
export type JoinPolicyName = Community["joinPolicy"];

const visibilities: Record<VisibilityName, Visibility> = { public: Visibility.PUBLIC, members_only: Visibility.MEMBERS_ONLY };
const policies: Record<JoinPolicyName, JoinPolicy> = { open: JoinPolicy.OPEN, approval: JoinPolicy.APPROVAL, invite: JoinPolicy.INVITE };
const roles: Record<CommunityRole, MemberRole> = {
  admin: MemberRole.ADMIN,
  moderator: MemberRole.MODERATOR,
  member: MemberRole.MEMBER,
  observer: MemberRole.OBSERVER,
};

const invert = <K extends string, V>(record: Record<K, V>) => new Map(Object.entries(record).map(([k, v]) => [v as V, k as K]));
const visibilityNames = invert(visibilities);
const policyNames = invert(policies);
const roleNames = invert(roles);

/** The proto enum as stored; undefined for UNSPECIFIED (the proto's validation rules it out where required). */
export const visibilityName = (v: Visibility) => visibilityNames.get(v);
export const joinPolicyName = (v: JoinPolicy) => policyNames.get(v);
export const roleName = (r: MemberRole) => roleNames.get(r);
export const roleToProto = (r: CommunityRole | "" | null | undefined) => (r ? roles[r] : MemberRole.UNSPECIFIED);

/** "community.moderator" → "moderator"; undefined for roles of other scopes. */
export function communityRoleOf(bindingRole: string): CommunityRole | undefined {
  if (!bindingRole.startsWith("community.")) return undefined;
  const name = bindingRole.slice("community.".length) as CommunityRole;
  return name in roles ? name : undefined;
}
export const bindingRoleOf = (role: CommunityRole) => `community.${role}`;

export const EVENT_KIND_TO_PROTO: Record<string, MembershipEventKind> = {
  joined: MembershipEventKind.JOINED,
  requested: MembershipEventKind.REQUESTED,
  approved: MembershipEventKind.APPROVED,
  denied: MembershipEventKind.DENIED,
  invited: MembershipEventKind.INVITED,
  left: MembershipEventKind.LEFT,
  removed: MembershipEventKind.REMOVED,
  role_changed: MembershipEventKind.ROLE_CHANGED,
};
export const EVENT_KIND_FROM_PROTO = invert(EVENT_KIND_TO_PROTO);

export function communityToProto(c: Community): CommunityMessage {
  return create(CommunitySchema, {
    id: c.id,
    orgId: c.orgId,
    slug: c.slug,
    name: c.name,
    description: c.description,
    visibility: visibilities[c.visibility],
    joinPolicy: policies[c.joinPolicy],
    archived: c.archivedAt !== null && c.archivedAt !== undefined,
    createdAt: timestampFromDate(c.createdAt),
    updatedAt: timestampFromDate(c.updatedAt),
    etag: etagOf(c),
  });
}
