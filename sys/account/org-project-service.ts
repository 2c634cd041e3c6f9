// OrgProjectService: orgs and their projects. Membership is role bindings (sys/authz); lists are filtered to
// what the caller may see by asking the engine, never by reading its tables.
import { Code, type ServiceImpl } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { requirePrincipal } from "../core/authn/principal.js";
import type { EntityManager } from "../core/db.js";
import { apiError, notFound } from "../core/errors.js";
import { FOR_UPDATE, writeTransaction } from "../core/write-transaction.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../core/pagination.js";
import type { SysContext } from "../core/sys-context.js";
import { isUuid, flushUnique, ilikePattern } from "../core/sql.js";
import { checkEtag } from "../shared/etag.js";
import { maskPaths } from "../shared/update-mask.js";
import { orgToProto, projectToProto } from "./convert.js";
import { Account, Org, Project } from "./entities.js";

const slugTaken = (slug: string) => apiError(Code.AlreadyExists, "SLUG_TAKEN", `slug ${slug} is taken`, { field: "slug" });
const WRITABLE = ["display_name", "description"] as const;

/** `lock`: inside a write transaction, hold the row until commit so concurrent writers queue up. */
async function findOrg(em: EntityManager, id: string, lock = false): Promise<Org> {
  const org = isUuid(id) ? await em.findOne(Org, { id }, lock ? FOR_UPDATE : {}) : null;
  if (!org) throw notFound("org", id);
  return org;
}

async function findProject(em: EntityManager, id: string, lock = false): Promise<Project> {
  const project = isUuid(id) ? await em.findOne(Project, { id }, lock ? FOR_UPDATE : {}) : null;
  if (!project) throw notFound("project", id);
  return project;
}


function applyMask(row: { displayName: string; description: string }, input: { displayName: string; description: string }, paths: string[]) {
  if (paths.includes("display_name")) row.displayName = input.displayName;
  if (paths.includes("description")) row.description = input.description;
}

const searchOf = (query: string) =>
  query ? [{ $or: [{ slug: { $ilike: ilikePattern(query) } }, { displayName: { $ilike: ilikePattern(query) } }] }] : [];

export function createOrgProjectService(ctx: SysContext): ServiceImpl<typeof OrgProjectService> {
  const { db, engine } = ctx;

  return {
    async createOrg(req, hc) {
      const principal = requirePrincipal(hc);
      const em = db.em();
      if (await em.findOne(Org, { slug: req.slug })) throw slugTaken(req.slug);
      const org = await em.transactional(async (tx) => {
        const now = new Date();
        const row = tx.create(Org, { id: randomUUID(), slug: req.slug, displayName: req.displayName, description: req.description, createdAt: now, updatedAt: now });
        await flushUnique(tx, () => slugTaken(req.slug));
        // The creator runs the org; system: a new org has no admin yet who could grant it.
        await engine.grant({ actorId: principal.accountId, accountId: principal.accountId, role: "org.admin", resource: `org/${row.id}`, system: true }, tx);
        return row;
      });
      engine.invalidate?.();
      return { org: orgToProto(org) };
    },

    async getOrg(req) {
      return { org: orgToProto(await findOrg(db.em(), req.orgId)) };
    },

    async listOrgs(req, hc) {
      const principal = requirePrincipal(hc);
      const visible = await engine.visibleOrgIds(principal.accountId);
      if (visible !== "all" && visible.length === 0) return { orgs: [], nextPageToken: "" };
      const size = pageSizeOf(req.pageSize);
      const where = [afterCursor(decodeCursor(req.pageToken)), ...searchOf(req.query), ...(visible === "all" ? [] : [{ id: { $in: visible } }])];
      const rows = await db.em().find(Org, { $and: where }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { orgs: page.items.map(orgToProto), nextPageToken: page.nextPageToken };
    },

    async updateOrg(req) {
      const org = await writeTransaction(db, async (tx) => {
        const row = await findOrg(tx, req.org?.id ?? "", true);
        const paths = maskPaths(req.updateMask?.paths, WRITABLE);
        checkEtag(row, req.etag);
        applyMask(row, req.org!, paths);
        return row;
      });
      return { org: orgToProto(org) };
    },

    async deleteOrg(req) {
      await writeTransaction(db, async (tx) => {
        const org = await findOrg(tx, req.orgId, true);
        for (const project of await tx.find(Project, { orgId: org.id })) await engine.removeBindings({ resourcePrefix: `project/${project.id}` }, tx);
        // Service accounts the org owns are deleted with it (cascade), so their bindings elsewhere must go too.
        for (const account of await tx.find(Account, { ownerOrgId: org.id })) await engine.removeBindings({ accountId: account.id }, tx);
        await engine.removeBindings({ resourcePrefix: `org/${org.id}` }, tx);
        // Other modules' resources under the org (communities) drop their bindings in this transaction too.
        await ctx.lifecycle.orgDeleted(org.id, tx);
        await tx.nativeDelete(Org, { id: org.id });
      });
      engine.invalidate?.();
      return {};
    },

    async createProject(req) {
      const em = db.em();
      await findOrg(em, req.orgId);
      if (await em.findOne(Project, { orgId: req.orgId, slug: req.slug })) throw slugTaken(req.slug);
      const now = new Date();
      const project = em.create(Project, { id: randomUUID(), orgId: req.orgId, slug: req.slug, displayName: req.displayName, description: req.description, createdAt: now, updatedAt: now });
      await flushUnique(em, () => slugTaken(req.slug));
      return { project: projectToProto(project) };
    },

    async getProject(req) {
      return { project: projectToProto(await findProject(db.em(), req.projectId)) };
    },

    async listProjects(req, hc) {
      const principal = requirePrincipal(hc);
      const visible = await engine.visibleProjectIds(principal.accountId, req.orgId);
      if (visible !== "all" && visible.length === 0) return { projects: [], nextPageToken: "" };
      const em = db.em();
      if (visible === "all") await findOrg(em, req.orgId);
      const size = pageSizeOf(req.pageSize);
      const where = [afterCursor(decodeCursor(req.pageToken)), { orgId: req.orgId }, ...searchOf(req.query), ...(visible === "all" ? [] : [{ id: { $in: visible } }])];
      const rows = await em.find(Project, { $and: where }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { projects: page.items.map(projectToProto), nextPageToken: page.nextPageToken };
    },

    async updateProject(req) {
      const project = await writeTransaction(db, async (tx) => {
        const row = await findProject(tx, req.project?.id ?? "", true);
        const paths = maskPaths(req.updateMask?.paths, WRITABLE);
        checkEtag(row, req.etag);
        applyMask(row, req.project!, paths);
        return row;
      });
      return { project: projectToProto(project) };
    },

    async deleteProject(req) {
      await writeTransaction(db, async (tx) => {
        const project = await findProject(tx, req.projectId, true);
        await engine.removeBindings({ resourcePrefix: `project/${project.id}` }, tx);
        await tx.nativeDelete(Project, { id: project.id });
      });
      engine.invalidate?.();
      return {};
    },
  };
}
