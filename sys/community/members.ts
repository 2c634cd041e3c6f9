// Who belongs to a community: its role bindings ("community.<role>" on "community/<id>"), read directly since
// they live in the same tier. The engine still makes every change (grant/revoke); this file only reads.
import { Account } from "../account/index.js";
import { RoleBindingEntity } from "../authz/index.js";
import { ilikePattern, isUuid, query, tableOf } from "../core/sql.js";
import type { EntityManager } from "../core/db.js";
import { decodeCursor, pageOf } from "../core/pagination.js";
import type { CommunityRole } from "../core/ports/directory-port.js";
import { bindingRoleOf, communityRoleOf } from "./convert.js";
import { COMMUNITY_ROLES } from "./entities.js";

export const resourceOf = (communityId: string) => `community/${communityId}`;

const RANK: Record<CommunityRole, number> = { admin: 4, moderator: 3, member: 2, observer: 1 };

/** The account's community roles there, highest first (normally exactly one). */
export async function rolesOf(em: EntityManager, communityId: string, accountId: string): Promise<CommunityRole[]> {
  if (!isUuid(accountId)) return [];
  const rows = await em.find(RoleBindingEntity, { accountId, resource: resourceOf(communityId) }, { fields: ["role"] });
  return rows
    .map((r) => communityRoleOf(r.role))
    .filter((r): r is CommunityRole => r !== undefined)
    .sort((a, b) => RANK[b] - RANK[a]);
}

export interface MemberRow {
  bindingId: string;
  accountId: string;
  displayName: string;
  role: CommunityRole;
  joinedAt: Date;
}

export interface MemberPageInput {
  communityId: string;
  size: number;
  pageToken: string;
  query: string;
  // Whether `query` may match emails too (callers who may read members' emails: sys/authz/email-privacy.ts).
  matchEmail: boolean;
  roles: CommunityRole[];
}

/** One page of members in (joined, binding id) order; pages stay stable while members join. */
export async function listMemberPage(em: EntityManager, input: MemberPageInput): Promise<{ items: MemberRow[]; nextPageToken: string }> {
  const cursor = decodeCursor(input.pageToken);
  const roles = (input.roles.length > 0 ? input.roles : [...COMMUNITY_ROLES]).map(bindingRoleOf);
  const where = ["b.resource = ?", "b.role in (?)"];
  const params: unknown[] = [resourceOf(input.communityId), roles];
  if (input.query) {
    const like = ilikePattern(input.query);
    where.push(input.matchEmail ? "(a.display_name ilike ? or a.email ilike ?)" : "a.display_name ilike ?");
    params.push(like, ...(input.matchEmail ? [like] : []));
  }
  if (cursor) {
    where.push("(b.created_at, b.id) > (?, ?)");
    params.push(cursor.createdAt, cursor.id);
  }
  params.push(input.size + 1);
  const rows = await query<{ id: string; account_id: string; role: string; created_at: Date | string; display_name: string }>(
    em,
    `select b.id, b.account_id, b.role, b.created_at, a.display_name
     from ${tableOf(em, RoleBindingEntity)} b join ${tableOf(em, Account)} a on a.id = b.account_id
     where ${where.join(" and ")} order by b.created_at, b.id limit ?`,
    params,
  );
  const members = rows.map((r) => ({
    bindingId: r.id,
    accountId: r.account_id,
    displayName: r.display_name,
    role: communityRoleOf(r.role)!,
    joinedAt: new Date(r.created_at),
  }));
  return pageOf(members, input.size, (m) => ({ createdAt: m.joinedAt, id: m.bindingId }));
}
