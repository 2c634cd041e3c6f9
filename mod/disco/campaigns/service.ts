// CampaignService: the proto's rules check fields and permissions; here the references are resolved (project,
// place, action time, community, survey), the campaign stored, and progress caught up in the same transaction.
import type { ServiceImpl } from "@connectrpc/connect";
import { type Campaign, type CampaignService, CampaignStatus } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { bearerOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, invalidArgument } from "../../../sys/core/errors.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { DiscoDeps } from "../deps.js";
import { campaignToProto, mediaKindName, statusFromProto } from "./codec.js";
import { CAMPAIGNS_CHANNEL, campaignChanged } from "./crossings.js";
import { CampaignEntity, type CampaignRow, type CampaignStatusName, ThresholdEntity } from "./entities.js";
import { byCampaign, measureThresholds } from "./progress.js";
import { actionOf, checkCommunity, checkSurvey, placeOf, projectOf } from "./references.js";
import { canManage, loadCampaign, loadVisible } from "./store.js";
import { createWatchCampaign } from "./watch.js";

// Which status an admin may move a campaign to from each status ("triggered" is the server's to set).
const MOVES: Record<CampaignStatusName, CampaignStatusName[]> = {
  draft: ["draft", "active", "closed"],
  active: ["active", "closed"],
  triggered: ["triggered", "closed"],
  closed: ["closed"],
};
const WRITABLE = new Set(["title", "goal", "strategy", "category", "place_id", "status", "action", "thresholds", "precedents", "media", "notify_community_id", "survey_project_id"]);

const lower = (id: string) => id.toLowerCase();

async function withProgress(em: EntityManager, rows: CampaignRow[]): Promise<Campaign[]> {
  const measures = byCampaign(await measureThresholds(em, rows.map((r) => r.id)));
  return rows.map((row) => campaignToProto(row, measures.get(row.id) ?? []));
}

async function replaceThresholds(tx: EntityManager, campaignId: string, campaign: Campaign): Promise<void> {
  await query(tx, `delete from ${tableOf(tx, ThresholdEntity)} where campaign_id = ?`, [campaignId]);
  campaign.thresholds.forEach((t, position) => {
    tx.create(ThresholdEntity, {
      id: crypto.randomUUID(), campaignId, position, label: t.label, supplyQuestionId: lower(t.supplyQuestionId),
      minAmount: t.minAmountPerPerson.toFixed(2), peopleRequired: t.peopleRequired, totalRequired: t.totalAmountRequired.toFixed(2), crossedAt: null,
    });
  });
}

/** The plain fields of a Campaign message, as stored. */
const plainFields = (c: Campaign) => ({
  title: c.title, goal: c.goal, strategy: c.strategy, category: c.category,
  precedents: c.precedents.map((p) => ({ title: p.title, year: p.year, place: p.place, summary: p.summary, url: p.url })),
  media: c.media.map((m) => ({ kind: mediaKindName(m.kind), url: m.url, title: m.title })),
});

export function createCampaignService(deps: DiscoDeps): ServiceImpl<typeof CampaignService> {
  const reply = async (campaignId: string, projectId: string) => {
    const em = deps.db.em().fork() as EntityManager;
    const [campaign] = await withProgress(em, [await loadCampaign(em, campaignId, projectId)]);
    return { campaign };
  };

  return {
    async createCampaign(req, ctx) {
      const accountId = requirePrincipal(ctx).accountId;
      const bearer = bearerOf(ctx);
      const c = req.campaign!;
      const projectId = lower(req.projectId);
      const status = c.status === CampaignStatus.UNSPECIFIED ? "draft" : statusFromProto(c.status)!;
      if (status !== "draft" && status !== "active") throw invalidArgument("campaign.status", "a campaign starts as a draft or active", "INVALID_STATUS");
      const project = await projectOf(deps, projectId, bearer);
      const place = await placeOf(deps, c.placeId);
      const action = actionOf(deps, c.action);
      const notifyCommunityId = await checkCommunity(deps, c.notifyCommunityId, project.orgId, bearer);
      const surveyProjectId = c.surveyProjectId ? lower(c.surveyProjectId) : null;
      const id = crypto.randomUUID();
      await writeTransaction(deps.db, async (tx) => {
        await checkSurvey(tx, projectId, surveyProjectId, c.thresholds.map((t) => lower(t.supplyQuestionId)));
        const now = new Date();
        tx.create(CampaignEntity, {
          id, orgId: project.orgId, projectId, surveyProjectId, ...plainFields(c), ...place, ...action, status, notifyCommunityId,
          createdBy: accountId, createdAt: now, updatedAt: now, triggeredAt: null, deletedAt: null,
        });
        await replaceThresholds(tx, id, c);
        await tx.flush();
        await campaignChanged(tx, id);
      });
      return reply(id, projectId);
    },

    async getCampaign(req, ctx) {
      const row = await loadVisible(deps, ctx, req.campaignId, req.projectId);
      const [campaign] = await withProgress(deps.db.em().fork() as EntityManager, [row]);
      return { campaign };
    },

    async listCampaigns(req, ctx) {
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown> = { deletedAt: null, ...afterCursor(decodeCursor(req.pageToken)) };
      if (req.projectId) where.projectId = lower(req.projectId);
      if (req.orgId) where.orgId = lower(req.orgId);
      if (req.category) where.category = req.category;
      const status = req.status === CampaignStatus.UNSPECIFIED ? undefined : statusFromProto(req.status);
      const drafts = req.projectId ? await canManage(deps, ctx, lower(req.projectId)) : false;
      if (status === "draft" && !drafts) return { campaigns: [], nextPageToken: "" };
      if (status) where.status = status;
      else if (!drafts) where.status = { $ne: "draft" };
      const em = deps.db.em().fork() as EntityManager;
      const rows = await em.find(CampaignEntity, where, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { campaigns: await withProgress(em, page.items), nextPageToken: page.nextPageToken };
    },

    async updateCampaign(req, ctx) {
      const bearer = bearerOf(ctx);
      const c = req.campaign!;
      const projectId = lower(req.projectId);
      const paths = new Set(req.updateMask!.paths);
      for (const path of paths) if (!WRITABLE.has(path)) throw invalidArgument("update_mask", `"${path}" is not writable (${[...WRITABLE].join(", ")})`);
      const project = await projectOf(deps, projectId, bearer);
      const place = paths.has("place_id") ? await placeOf(deps, c.placeId) : undefined;
      const action = paths.has("action") ? actionOf(deps, c.action) : undefined;
      const notifyCommunityId = paths.has("notify_community_id") ? await checkCommunity(deps, c.notifyCommunityId, project.orgId, bearer) : undefined;
      const wanted = paths.has("status") ? statusFromProto(c.status) : undefined;
      await writeTransaction(deps.db, async (tx) => {
        const row = await loadCampaign(tx, c.id, projectId, true);
        if ((paths.has("thresholds") || paths.has("survey_project_id")) && row.status !== "draft") {
          throw failedPrecondition("CAMPAIGN_NOT_DRAFT", `campaign ${row.id} is ${row.status}: its survey project and thresholds are fixed once it is active`);
        }
        if (wanted !== undefined && !MOVES[row.status].includes(wanted)) {
          throw failedPrecondition("INVALID_STATUS_TRANSITION", `campaign ${row.id} is ${row.status}; it cannot become ${wanted ?? "unspecified"}`);
        }
        if (paths.has("status") && wanted === undefined) throw invalidArgument("campaign.status", "a status is needed", "INVALID_STATUS");
        const plain = plainFields(c);
        for (const key of ["title", "goal", "strategy", "category", "precedents", "media"] as const) if (paths.has(key)) Object.assign(row, { [key]: plain[key] });
        if (place) Object.assign(row, place);
        if (action) Object.assign(row, action);
        if (notifyCommunityId !== undefined) row.notifyCommunityId = notifyCommunityId;
        if (wanted) row.status = wanted;
        if (paths.has("survey_project_id")) row.surveyProjectId = c.surveyProjectId ? lower(c.surveyProjectId) : null;
        if (paths.has("survey_project_id") || paths.has("thresholds")) {
          const thresholds = paths.has("thresholds") ? c.thresholds.map((t) => lower(t.supplyQuestionId))
            : (await tx.find(ThresholdEntity, { campaignId: row.id })).map((t) => t.supplyQuestionId);
          await checkSurvey(tx, projectId, row.surveyProjectId ?? null, thresholds);
        }
        if (paths.has("thresholds")) await replaceThresholds(tx, row.id, c);
        row.updatedAt = new Date();
        await tx.flush();
        await campaignChanged(tx, row.id);
      });
      return reply(c.id, projectId);
    },

    async deleteCampaign(req) {
      await writeTransaction(deps.db, async (tx) => {
        const row = await loadCampaign(tx, req.campaignId, req.projectId, true);
        row.deletedAt = new Date();
        row.updatedAt = row.deletedAt;
        await tx.flush();
        // Watchers wake and find it gone.
        await publishInTransaction(tx, CAMPAIGNS_CHANNEL, row.id);
      });
      return {};
    },

    watchCampaign: createWatchCampaign(deps),
  };
}
