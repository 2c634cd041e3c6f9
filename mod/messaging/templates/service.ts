// TemplateService. Permissions and input rules come from the proto; here: what only the data can tell.
import type { ServiceImpl } from "@connectrpc/connect";
import type { TemplateService } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { alreadyExists, failedPrecondition } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { flushUnique, query, tableOf } from "../../../sys/core/sql.js";
import { BlastEntity } from "../blasts/entities.js";
import type { MessagingDeps } from "../deps.js";
import { renderVariant } from "./engine.js";
import { TemplateEntity } from "./entities.js";
import { chooseVariant } from "./render.js";
import { defaultAmong, templateRow, templateToProto, variantsOf, type TemplateRow } from "./template-rows.js";

export function createTemplateService(deps: MessagingDeps): ServiceImpl<typeof TemplateService> {
  const taken = (name: string) => () => alreadyExists("template", name);
  return {
    async createTemplate(req, ctx) {
      const caller = requirePrincipal(ctx);
      const variants = variantsOf(req.variants);
      const now = new Date();
      const em = deps.db.em();
      const row = em.create(TemplateEntity, {
        id: crypto.randomUUID(), orgId: req.orgId, name: req.name, category: req.category, defaultLanguage: defaultAmong(variants, req.defaultLanguage),
        variants, createdBy: caller.accountId, createdAt: now, updatedAt: now,
      }) as TemplateRow;
      await flushUnique(em, taken(req.name));
      return { template: templateToProto(row) };
    },

    async getTemplate(req) {
      return { template: templateToProto(await templateRow(deps.db.em(), req.orgId, req.templateId)) };
    },

    async listTemplates(req) {
      const size = pageSizeOf(req.pageSize);
      const rows = (await deps.db.em().find(
        TemplateEntity,
        { orgId: req.orgId, ...(req.category ? { category: req.category } : {}), ...afterCursor(decodeCursor(req.pageToken)) },
        { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 },
      )) as TemplateRow[];
      const page = pageOf(rows, size);
      return { templates: page.items.map(templateToProto), nextPageToken: page.nextPageToken };
    },

    async updateTemplate(req) {
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const found = await templateRow(tx, req.orgId, req.templateId);
        if (req.name !== undefined) found.name = req.name;
        if (req.category !== undefined) found.category = req.category;
        if (req.variants.length > 0) found.variants = variantsOf(req.variants);
        found.defaultLanguage = defaultAmong(found.variants, req.defaultLanguage ?? found.defaultLanguage);
        found.updatedAt = new Date();
        await flushUnique(tx, taken(found.name));
        return found;
      });
      return { template: templateToProto(row) };
    },

    async deleteTemplate(req) {
      await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        await templateRow(tx, req.orgId, req.templateId);
        const expanding = await query(tx, `select 1 from ${tableOf(tx, BlastEntity)} where "template_id" = ? and not "expanded" and "state" in ('RUNNING', 'PAUSED') limit 1`, [req.templateId]);
        if (expanding.length > 0) throw failedPrecondition("TEMPLATE_IN_USE", "a blast using this template is still creating its messages: wait for it, or cancel it");
        await tx.nativeDelete(TemplateEntity, { id: req.templateId, orgId: req.orgId });
      });
      return {};
    },

    async renderTemplate(req) {
      const row = await templateRow(deps.db.em(), req.orgId, req.templateId);
      const out = renderVariant(chooseVariant(row, req.language), req.variables);
      return { subject: out.subject ?? "", text: out.text, html: out.html ?? "", language: out.language };
    },
  };
}
