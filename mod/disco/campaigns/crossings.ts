// Runs inside every transaction that changed counted pledges (and those that activate a campaign): the
// campaigns counting that survey are locked, measured, and each threshold newly reached is recorded as crossed
// exactly once. Locking the campaign rows queues concurrent pledges on the same campaigns, so each sees the
// pledges committed before it (PostgreSQL re-reads after the lock) and no crossing is missed or recorded twice;
// the unique (campaign, threshold) key is the backstop. A crossing stays even if pledges later fall below the
// threshold. The campaign turns "triggered" once every one of its thresholds has been crossed.
import type { EntityManager } from "../../../sys/core/db.js";
import { publishAllInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { CampaignEntity, CrossingEntity, CrossingHeadEntity, ThresholdEntity } from "./entities.js";
import { byCampaign, isReached, measureThresholds } from "./progress.js";

/** Payload: the campaign id (its progress or state changed). */
export const CAMPAIGNS_CHANNEL = "disco_campaigns";
/** Payload: the community told about the crossing ("" when none). */
export const CROSSINGS_CHANNEL = "disco_campaign_crossings";

interface LockedCampaign {
  id: string;
  orgId: string;
  projectId: string;
  status: string;
  notifyCommunityId: string | null;
}

const COUNTING = new Set(["active", "triggered"]);

/** Locks the non-deleted campaigns chosen by `where` (in id order, so two writers never deadlock). */
async function lockCampaigns(tx: EntityManager, where: string, params: unknown[]): Promise<LockedCampaign[]> {
  return query<LockedCampaign>(
    tx,
    `select id, org_id as "orgId", project_id as "projectId", status, notify_community_id as "notifyCommunityId"
     from ${tableOf(tx, CampaignEntity)} where ${where} and deleted_at is null order by id for update`,
    params,
  );
}

async function nextSequence(tx: EntityManager): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(tx, `update ${tableOf(tx, CrossingHeadEntity)} set sequence = sequence + 1 where id = 1 returning sequence`);
  return Number(row!.sequence);
}

/** Measures the locked campaigns, records new crossings and triggers; publishes (at commit) what changed. */
async function evaluate(tx: EntityManager, campaigns: LockedCampaign[], now: Date): Promise<void> {
  if (campaigns.length === 0) return;
  const measures = byCampaign(await measureThresholds(tx, campaigns.map((c) => c.id)));
  const notices: Array<[string, string]> = [];
  for (const campaign of campaigns) {
    notices.push([CAMPAIGNS_CHANNEL, campaign.id]);
    if (!COUNTING.has(campaign.status)) continue;
    const thresholds = measures.get(campaign.id) ?? [];
    let crossedCount = 0;
    for (const t of thresholds) {
      if (t.crossedAt) {
        crossedCount++;
        continue;
      }
      if (!isReached(t)) continue;
      const sequence = await nextSequence(tx);
      const inserted = await query(
        tx,
        `insert into ${tableOf(tx, CrossingEntity)} (sequence, campaign_id, threshold_id, org_id, project_id, community_id, people, total, crossed_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (campaign_id, threshold_id) do nothing returning sequence`,
        [sequence, campaign.id, t.id, campaign.orgId, campaign.projectId, campaign.notifyCommunityId, t.people, t.total.toFixed(2), now],
      );
      await query(tx, `update ${tableOf(tx, ThresholdEntity)} set crossed_at = ? where id = ? and crossed_at is null`, [now, t.id]);
      crossedCount++;
      if (inserted.length > 0) notices.push([CROSSINGS_CHANNEL, campaign.notifyCommunityId ?? ""]);
    }
    if (campaign.status === "active" && thresholds.length > 0 && crossedCount === thresholds.length) {
      await query(tx, `update ${tableOf(tx, CampaignEntity)} set status = 'triggered', triggered_at = ?, updated_at = ? where id = ?`, [now, now, campaign.id]);
    }
  }
  await publishAllInTransaction(tx, notices);
}

/** The surveys area's hook: `surveyProjectId`'s counted pledges changed in `tx`. */
export async function pledgesChanged(tx: EntityManager, surveyProjectId: string): Promise<void> {
  await evaluate(tx, await lockCampaigns(tx, "survey_project_id = ?", [surveyProjectId]), new Date());
}

/** After a campaign's own write (activated, survey or thresholds changed): catch up with pledges already made. */
export async function campaignChanged(tx: EntityManager, campaignId: string): Promise<void> {
  await evaluate(tx, await lockCampaigns(tx, "id = ?", [campaignId]), new Date());
}
