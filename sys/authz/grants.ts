// Granting and revoking roles. Nobody grants to (or revokes from) themselves, nobody hands out a role ranked
// above the highest role they hold on the resource or a scope above it; a superadmin may grant anything, and
// `system` grants (bootstrap, an org's creator) skip the checks. Every change leaves an audit event.
// The same rank rule guards acting on another account (disable, enable, delete): nobody acts on an account
// holding a role ranked above the highest role they hold over that account. Invites apply the rank rule when
// they are made (mayHandOut), since their acceptance is a system grant.
import { Account } from "../account/index.js";
import type { Database, EntityManager } from "../core/db.js";
import { invalidArgument, notFound, permissionDenied } from "../core/errors.js";
import type { AuditRecord, RoleBindingRecord } from "../core/sys-context.js";
import { RoleBindingEntity } from "./entities.js";
import type { ResourceTree } from "./resources.js";
import { type RoleDef, roleOf, scopeOfResource } from "./roles.js";
import { isUuid, query, tableOf } from "../core/sql.js";

interface GrantsDeps {
  db: Database;
  tree: ResourceTree;
  writeAudit(records: AuditRecord[], em: EntityManager): Promise<void>;
  evaluateRank(actorId: string, resource: string, em: EntityManager): Promise<number>;
  bindingsOf(accountId: string, em: EntityManager): Promise<Array<{ role: string }>>;
}

interface Change {
  actorId: string;
  accountId: string;
  role: string;
  resource: string;
  system?: boolean;
}

const rankOf = (role: RoleDef) => (role.name === "platform.superadmin" ? Infinity : role.rank);

export function createGrants({ db, writeAudit, evaluateRank, bindingsOf }: GrantsDeps) {
  function validRole(name: string, resource: string): RoleDef {
    const role = roleOf(name);
    if (!role) throw invalidArgument("role", `unknown role "${name}"`, "UNKNOWN_ROLE");
    if (scopeOfResource(resource) !== role.scope) {
      throw invalidArgument("resource", `${role.name} binds to ${role.scope === "platform" ? "platform" : `${role.scope}/<id>`}, not ${resource}`, "ROLE_SCOPE_MISMATCH");
    }
    return role;
  }

  /** Nobody hands out a role ranked above the highest one they hold on the resource or a scope above it. */
  async function notAboveOwn(actorId: string, role: RoleDef, resource: string, em: EntityManager): Promise<void> {
    const own = await evaluateRank(actorId, resource, em);
    if (role.rank > own) throw permissionDenied("ROLE_ABOVE_OWN", `${role.name} is above the roles you hold on ${resource}`, { role: role.name });
  }

  async function mayChange(change: Change, role: RoleDef, em: EntityManager): Promise<void> {
    if (change.system) return;
    if (change.actorId === change.accountId) throw permissionDenied("CANNOT_GRANT_TO_SELF", "nobody grants or revokes their own roles");
    await notAboveOwn(change.actorId, role, change.resource, em);
  }

  /** The account's highest role anywhere (a role on any org counts against a platform actor); Infinity for a superadmin. */
  async function highestRole(accountId: string, em: EntityManager): Promise<RoleDef | undefined> {
    let top: RoleDef | undefined;
    for (const b of await bindingsOf(accountId, em)) {
      const role = roleOf(b.role);
      if (role && (!top || rankOf(role) > rankOf(top))) top = role;
    }
    return top;
  }

  const toRecord = (r: RoleBindingEntity): RoleBindingRecord => ({
    id: r.id,
    accountId: r.accountId,
    role: r.role,
    resource: r.resource,
    grantedBy: r.grantedBy ?? "",
    createdAt: r.createdAt,
  });

  return {
    async grant(change: Change, given?: EntityManager): Promise<RoleBindingRecord> {
      const em = given ?? db.em();
      const role = validRole(change.role, change.resource);
      await mayChange(change, role, em);
      if (!isUuid(change.accountId) || !(await em.count(Account, { id: change.accountId }))) throw notFound("account", change.accountId);
      const key = { accountId: change.accountId, role: role.name, resource: change.resource };
      // Granting what is already held is a no-op that returns the existing binding.
      const existing = await em.findOne(RoleBindingEntity, key);
      if (existing) return toRecord(existing);
      const row = { id: crypto.randomUUID(), ...key, grantedBy: isUuid(change.actorId) ? change.actorId : null, createdAt: new Date() };
      // A concurrent grant of the same binding may commit in between: keep it. "on conflict do nothing", not a
      // caught unique violation, which would abort the caller's transaction.
      const inserted = await query<{ id: string }>(
        em,
        `insert into ${tableOf(em, RoleBindingEntity)} (id, account_id, role, resource, granted_by, created_at) values (?, ?, ?, ?, ?, ?)
         on conflict (account_id, role, resource) do nothing returning id`,
        [row.id, row.accountId, row.role, row.resource, row.grantedBy, row.createdAt],
      );
      if (inserted.length === 0) return toRecord(await em.findOneOrFail(RoleBindingEntity, key, { refresh: true }));
      await writeAudit([{ kind: "role_granted", actorId: change.actorId, subjectId: change.accountId, role: role.name, resource: change.resource }], em);
      return toRecord(row as RoleBindingEntity);
    },

    /** Refuses acting on one's own account or on one that holds a role ranked above the actor's over it. */
    async mayManageAccount(input: { actorId: string; accountId: string }, given?: EntityManager): Promise<void> {
      const em = given ?? db.em();
      if (input.actorId === input.accountId) throw permissionDenied("CANNOT_MANAGE_SELF", "nobody disables, enables or deletes their own account");
      const target = await highestRole(input.accountId, em);
      if (!target) return;
      const own = await evaluateRank(input.actorId, `account/${input.accountId}`, em);
      if (rankOf(target) > own) throw permissionDenied("ACCOUNT_ABOVE_OWN", `the account holds ${target.name}, above the roles you hold`, { role: target.name });
    },

    /** The rank rule alone, for a role granted later on the actor's word (an invite it makes now). */
    async mayHandOut(input: { actorId: string; role: string; resource: string }, given?: EntityManager): Promise<void> {
      await notAboveOwn(input.actorId, validRole(input.role, input.resource), input.resource, given ?? db.em());
    },

    async revoke(change: Omit<Change, "system">, given?: EntityManager): Promise<void> {
      const em = given ?? db.em();
      const role = validRole(change.role, change.resource);
      await mayChange(change, role, em);
      const deleted = isUuid(change.accountId) ? await em.nativeDelete(RoleBindingEntity, { accountId: change.accountId, role: role.name, resource: change.resource }) : 0;
      if (deleted === 0) throw notFound("role binding", `${role.name} on ${change.resource} for ${change.accountId}`);
      await writeAudit([{ kind: "role_revoked", actorId: change.actorId, subjectId: change.accountId, role: role.name, resource: change.resource }], em);
    },
  };
}
