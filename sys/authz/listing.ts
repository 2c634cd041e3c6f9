// The two list queries of AuthzService: a resource's members (their name, searchable; their email only for
// callers who may read emails) and the audit log, newest first. Both page on a keyset cursor so pages stay
// stable while rows are added.
import { Account } from "../account/index.js";
import type { EntityManager } from "../core/db.js";
import { decodeCursor, pageOf, pageSizeOf } from "../core/pagination.js";
import { AuditEventEntity, RoleBindingEntity } from "./entities.js";
import { ilikePattern, query, tableOf } from "../core/sql.js";

export interface MemberRow {
  id: string;
  accountId: string;
  role: string;
  resource: string;
  grantedBy: string;
  createdAt: Date;
  email: string;
  displayName: string;
}

export interface MemberListInput {
  resource: string;
  pageSize: number;
  pageToken: string;
  query: string;
  // Whether the caller may read members' emails: only then are they returned and matched by `query` (else
  // a search would still tell a member whose address it is).
  withEmail: boolean;
}

export async function listMembers(em: EntityManager, input: MemberListInput) {
  const size = pageSizeOf(input.pageSize);
  const cursor = decodeCursor(input.pageToken);
  const where = ["b.resource = ?"];
  const params: unknown[] = [input.resource];
  if (input.query) {
    const like = ilikePattern(input.query);
    where.push(input.withEmail ? "(a.email ilike ? or a.display_name ilike ?)" : "a.display_name ilike ?");
    params.push(like, ...(input.withEmail ? [like] : []));
  }
  if (cursor) {
    where.push("(b.created_at, b.id) > (?, ?)");
    params.push(cursor.createdAt, cursor.id);
  }
  params.push(size + 1);
  const rows = await query<Record<string, unknown>>(
    em,
    `select b.id, b.account_id, b.role, b.resource, b.granted_by, b.created_at, a.email, a.display_name
     from ${tableOf(em, RoleBindingEntity)} b join ${tableOf(em, Account)} a on a.id = b.account_id
     where ${where.join(" and ")} order by b.created_at, b.id limit ?`,
    params,
  );
  const members: MemberRow[] = rows.map((r) => ({
    id: String(r.id),
    accountId: String(r.account_id),
    role: String(r.role),
    resource: String(r.resource),
    grantedBy: r.granted_by ? String(r.granted_by) : "",
    createdAt: new Date(r.created_at as string | Date),
    email: input.withEmail && r.email ? String(r.email) : "",
    displayName: String(r.display_name ?? ""),
  }));
  return pageOf(members, size);
}

export async function listAuditEvents(em: EntityManager, input: { pageSize: number; pageToken: string; kind: string }) {
  const size = pageSizeOf(input.pageSize, 500);
  const cursor = decodeCursor(input.pageToken);
  const where: Record<string, unknown> = {};
  if (input.kind) where.kind = input.kind;
  if (cursor) where.$or = [{ time: { $lt: cursor.createdAt } }, { time: cursor.createdAt, id: { $lt: cursor.id } }];
  const rows = await em.find(AuditEventEntity, where, { orderBy: { time: "desc", id: "desc" }, limit: size + 1 });
  return pageOf(rows, size, (e) => ({ createdAt: e.time, id: e.id }));
}
