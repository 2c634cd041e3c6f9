// Reading campaigns as their callers may see them: a draft exists only for who may manage the project's
// campaigns (a stranger gets the same NOT_FOUND as for an id that never existed).
import type { HandlerContext } from "@connectrpc/connect";
import { bearerOf, principalOf } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { isUuid } from "../../../sys/core/sql.js";
import { FOR_UPDATE } from "../../../sys/core/write-transaction.js";
import type { DiscoDeps } from "../deps.js";
import { CampaignEntity, type CampaignRow } from "./entities.js";

export const MANAGE = "disco.campaign.manage";

/** Whether the caller may manage (and so see the drafts of) the project's campaigns. */
export async function canManage(deps: DiscoDeps, ctx: HandlerContext, projectId: string): Promise<boolean> {
  const principal = principalOf(ctx);
  if (!principal) return false;
  const decision = await deps.authz.check({ principalId: principal.accountId, permission: MANAGE, resource: `project/${projectId}`, bearer: bearerOf(ctx) });
  return decision.allowed;
}

/** The campaign (of `projectId` when given), or NOT_FOUND; locked when `lock`. */
export async function loadCampaign(em: EntityManager, campaignId: string, projectId: string, lock = false): Promise<CampaignRow> {
  const id = campaignId.toLowerCase();
  const row = isUuid(id) ? await em.findOne(CampaignEntity, { id, deletedAt: null }, lock ? { ...FOR_UPDATE, refresh: true } : { refresh: true }) : null;
  if (!row || (projectId && row.projectId !== projectId.toLowerCase())) throw notFound("campaign", campaignId);
  return row;
}

/** loadCampaign for a reader: a draft is NOT_FOUND unless the caller manages its project. */
export async function loadVisible(deps: DiscoDeps, ctx: HandlerContext, campaignId: string, projectId: string): Promise<CampaignRow> {
  const row = await loadCampaign(deps.db.em().fork() as EntityManager, campaignId, projectId);
  if (row.status === "draft" && !(await canManage(deps, ctx, row.projectId))) throw notFound("campaign", campaignId);
  return row;
}
