// sys-core's decision engine. One indexed query per decision (or per batch): the principals' account status
// joined with their bindings on the resources' ancestor chains, which come from a small in-process cache.
// One engine per host: the resource kinds and public permissions modules register live in it, not in the process.
import type { Logger } from "pino";
import { Account } from "../account/index.js";
import type { Database, EntityManager } from "../core/db.js";
import type { AccessDecision, AccessQuestion } from "../core/ports/authorization-port.js";
import type { AuditRecord, AuthzEngine } from "../core/sys-context.js";
import { decide, type Outcome, type PrincipalFacts } from "./decide.js";
import { AuditEventEntity, RoleBindingEntity } from "./entities.js";
import { createExplainer } from "./explain.js";
import { createGrants } from "./grants.js";
import { createPublicPermissions } from "./public-resources.js";
import { createResourceTree } from "./resources.js";
import { roleGrants, roleOf, scopeOfResource } from "./roles.js";
import { batchPerTurn, escapeLike, hotQuery, isUuid, tableOf } from "../core/sql.js";

export interface AuthzEngineOptions {
  db: Database;
  logger: Logger;
  /** How long an answer of the public-permission resolvers is reused; 0 asks every time. */
  publicPermissionsTtlMs?: number;
}

interface FactRow {
  id: string;
  kind: "person" | "service";
  verified: boolean;
  disabled: boolean;
  role: string | null;
  resource: string | null;
}

const PUBLIC: Outcome = { decision: { allowed: true, reason: "public" }, considered: [] };

export function createAuthzEngine({ db, logger, publicPermissionsTtlMs }: AuthzEngineOptions): AuthzEngine {
  const tree = createResourceTree();
  const publicPermissions = createPublicPermissions(publicPermissionsTtlMs);

  async function loadFacts(em: EntityManager, principalIds: string[], resources: string[]): Promise<Map<string, PrincipalFacts>> {
    const facts = new Map<string, PrincipalFacts>();
    const ids = [...new Set(principalIds.filter(isUuid))];
    if (ids.length === 0) return facts;
    const accounts = tableOf(em, Account);
    const bindings = tableOf(em, RoleBindingEntity);
    const resourceList = [...new Set(resources)];
    const columns = "a.id, a.kind, a.email_verified_at is not null as verified, a.disabled_at is not null as disabled, b.role, b.resource";
    const rows = await hotQuery<FactRow>(em, {
      name: `polity_authz_facts_${accounts.replace(/\W/g, "")}`.slice(0, 63),
      text: `select ${columns} from ${accounts} a left join ${bindings} b on b.account_id = a.id and b.resource = any($2::text[]) where a.id = any($1::uuid[])`,
      values: [ids, resourceList],
      orm: { sql: `select ${columns} from ${accounts} a left join ${bindings} b on b.account_id = a.id and b.resource in (?) where a.id in (?)`, params: [resourceList, ids] },
    });
    for (const row of rows) {
      let f = facts.get(row.id);
      if (!f) facts.set(row.id, (f = { id: row.id, kind: row.kind, verified: row.verified, disabled: row.disabled, bindings: [] }));
      if (row.role && row.resource) f.bindings.push({ role: row.role, resource: row.resource });
    }
    return facts;
  }

  async function evaluate(questions: AccessQuestion[], em: EntityManager): Promise<Outcome[]> {
    const resources = [...new Set(questions.map((q) => q.resource))];
    const chains = new Map(await Promise.all(resources.map(async (r) => [r, await tree.ancestors(r, em)] as const)));
    const facts = await loadFacts(em, questions.map((q) => q.principalId), [...chains.values()].flat());
    // What a resource makes public (a public community's reads) is allowed to anyone, before any binding.
    const answers = questions.map((q) => publicPermissions.isPublic(q.permission, chains.get(q.resource)!));
    const open = answers.some((a) => a !== true && a !== false) ? await Promise.all(answers) : answers;
    return questions.map((q, i) => (open[i] ? PUBLIC : decide(q, facts.get(q.principalId), chains.get(q.resource)!)));
  }

  async function writeAudit(records: AuditRecord[], em: EntityManager): Promise<void> {
    if (records.length === 0) return;
    const time = new Date();
    const clip = (v: string | undefined, n: number) => (v ? v.slice(0, n) : null);
    await em.insertMany(
      AuditEventEntity,
      records.map((r) => ({
        id: crypto.randomUUID(),
        time,
        kind: r.kind,
        actorId: clip(r.actorId, 64),
        subjectId: clip(r.subjectId, 64),
        permission: clip(r.permission, 128),
        resource: clip(r.resource, 200),
        role: clip(r.role, 64),
        reason: clip(r.reason, 200),
        method: clip(r.method, 200),
      })),
    );
  }

  async function checkMany(questions: AccessQuestion[]): Promise<AccessDecision[]> {
    if (questions.length === 0) return [];
    const em = db.em();
    const decisions = (await evaluate(questions, em)).map((o) => o.decision);
    // Anonymous denials are routine (the guard never asks about them); everything else is worth a trace.
    const denials = questions
      .map((q, i) => ({ q, d: decisions[i]! }))
      .filter(({ d }) => !d.allowed && d.reason !== "unauthenticated")
      .map(({ q, d }): AuditRecord => ({ kind: "denied", actorId: q.principalId, permission: q.permission, resource: q.resource, reason: d.reason }));
    await writeAudit(denials, em).catch((err: unknown) => logger.error({ err }, "writing denial audit events failed"));
    return decisions;
  }

  async function bindingsOfAccount(accountId: string, em: EntityManager) {
    if (!isUuid(accountId)) return [];
    return em.find(RoleBindingEntity, { accountId }, { orderBy: { createdAt: "asc", id: "asc" } });
  }

  const grants = createGrants({ db, tree, writeAudit, evaluateRank: actorRank, bindingsOf: bindingsOfAccount });

  const explainFor = createExplainer({
    evaluate,
    ancestors: (resource, em) => tree.ancestors(resource, em),
    bindingsOf: bindingsOfAccount,
    loadFacts,
    isPublic: publicPermissions.isPublic,
    db,
  });

  /** The highest rank the actor holds on `resource` or above it; Infinity for a superadmin. */
  async function actorRank(actorId: string, resource: string, em: EntityManager): Promise<number> {
    const chain = await tree.ancestors(resource, em);
    const facts = (await loadFacts(em, [actorId], chain)).get(actorId);
    let rank = 0;
    for (const b of facts?.bindings ?? []) {
      if (b.role === "platform.superadmin") return Infinity;
      rank = Math.max(rank, roleOf(b.role)?.rank ?? 0);
    }
    return rank;
  }

  // Checks asked during one event-loop turn (many concurrent calls) share one query; so do quiet ones (the
  // hints of CheckMyPermissions, the email-visibility rule), which write no audit entry.
  const checkBatched = batchPerTurn(checkMany);
  const checkQuietBatched = batchPerTurn(async (questions: AccessQuestion[]) => (await evaluate(questions, db.em())).map((o) => o.decision));

  return {
    resources: { registerParent: tree.registerParent },
    publicPermissions: { register: publicPermissions.register, invalidate: publicPermissions.invalidate },
    check: checkBatched,
    checkBatch: checkMany,
    isAvailable: () => true,
    invalidate: () => tree.clear(),
    checkQuietly: checkQuietBatched,
    explain: (question, askerId) => explainFor(question, askerId),
    grant: grants.grant,
    revoke: grants.revoke,
    mayManageAccount: grants.mayManageAccount,
    mayHandOut: grants.mayHandOut,
    async bindingsOf(accountId, em) {
      const rows = await bindingsOfAccount(accountId, em ?? db.em());
      return rows.map((r) => ({ id: r.id, accountId: r.accountId, role: r.role, resource: r.resource, grantedBy: r.grantedBy ?? "", createdAt: r.createdAt }));
    },
    async visibleOrgIds(principalId) {
      const em = db.em();
      const orgs = new Set<string>();
      for (const b of await bindingsOfAccount(principalId, em)) {
        const role = roleOf(b.role);
        if (b.resource === "platform") {
          if (role && roleGrants(role, "sys.org.read")) return "all";
          continue;
        }
        for (const r of await tree.ancestors(b.resource, em)) if (r.startsWith("org/")) orgs.add(r.slice(4));
      }
      return [...orgs];
    },
    async visibleProjectIds(principalId, orgId) {
      const em = db.em();
      const projects = new Set<string>();
      for (const b of await bindingsOfAccount(principalId, em)) {
        const role = roleOf(b.role);
        if ((b.resource === "platform" || b.resource === `org/${orgId}`) && role && roleGrants(role, "sys.project.read")) return "all";
        if (scopeOfResource(b.resource) !== "project") continue;
        if ((await tree.ancestors(b.resource, em)).includes(`org/${orgId}`)) projects.add(b.resource.slice("project/".length));
      }
      return [...projects];
    },
    async removeBindings(filter, em) {
      const where: Record<string, unknown> = {};
      if (filter.accountId) where.accountId = filter.accountId;
      if (filter.resourcePrefix) {
        const escaped = escapeLike(filter.resourcePrefix);
        where.$or = [{ resource: filter.resourcePrefix }, { resource: { $like: `${escaped}/%` } }];
      }
      if (Object.keys(where).length === 0) throw new Error("removeBindings needs a filter");
      await (em ?? db.em()).nativeDelete(RoleBindingEntity, where);
      tree.clear();
    },
    async hasSuperadmin() {
      return (await db.em().count(RoleBindingEntity, { role: "platform.superadmin" })) > 0;
    },
    audit: (record, em) => writeAudit([record], em ?? db.em()),
  };
}
