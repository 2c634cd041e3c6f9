// Role bindings (who holds which role where) and the audit log (denials and role changes).
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";
import { Account } from "../account/index.js";

const now = () => new Date();

export const RoleBindingEntity = defineEntity({
  name: "RoleBinding",
  tableName: "role_bindings",
  uniques: [{ properties: ["accountId", "role", "resource"] }],
  indexes: [{ properties: ["resource"] }],
  properties: {
    id: p.uuid().primary(),
    // Deleting an account deletes its bindings. Lookups by account use the unique index's leading column.
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade"),
    role: p.string().length(64),
    resource: p.string().length(200),
    // Null for system grants (bootstrap, org creator).
    grantedBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(now),
  },
});
export type RoleBindingEntity = InferEntity<typeof RoleBindingEntity>;

export const AuditEventEntity = defineEntity({
  name: "AuditEvent",
  tableName: "audit_events",
  properties: {
    id: p.uuid().primary(),
    time: p.datetime().onCreate(now).index(),
    kind: p.string().length(64),
    // Plain strings, not references: the log outlives the accounts it names, and denials may name garbage ids.
    actorId: p.string().length(64).nullable(),
    subjectId: p.string().length(64).nullable(),
    permission: p.string().length(128).nullable(),
    resource: p.string().length(200).nullable(),
    role: p.string().length(64).nullable(),
    reason: p.string().length(200).nullable(),
    method: p.string().length(200).nullable(),
  },
});
export type AuditEventEntity = InferEntity<typeof AuditEventEntity>;

export const authzEntities = [RoleBindingEntity, AuditEventEntity];
