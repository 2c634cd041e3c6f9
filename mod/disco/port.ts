// The disco module as other modules of the mod tier see it: messaging follows campaign threshold crossings
// the way it follows voting's activity log — from a cursor it stores, committed with the messages it creates —
// so a crossing is announced once, however many workers run and whenever they catch up.
import type { EntityManager } from "../../sys/core/db.js";
import { query, tableOf } from "../../sys/core/sql.js";
import { CROSSINGS_CHANNEL } from "./campaigns/crossings.js";
import { CampaignEntity, CrossingEntity, CrossingHeadEntity, ThresholdEntity } from "./campaigns/entities.js";
import type { DiscoDeps } from "./deps.js";
import { SupplyQuestion } from "./surveys/entities.js";

/** One threshold of one campaign, crossed once for good. Counts only: never who pledged. */
export interface CampaignCrossing {
  /** 1, 2, 3… over every campaign, in commit order. */
  sequence: number;
  campaignId: string;
  campaignTitle: string;
  orgId: string;
  projectId: string;
  /** The community the campaign named to notify when it was crossed. */
  communityId: string;
  thresholdId: string;
  thresholdLabel: string;
  /** Where the threshold stood when crossed. */
  people: number;
  total: number;
  /** The supply question's unit ("hours"). */
  unit: string;
  crossedAt: Date;
  /** The campaign's action time, when it has one. */
  actionAt: Date | null;
  actionZone: string;
}

export interface DiscoPort {
  /**
   * The crossings to announce to `communityId` after `afterSequence`, in order, at most `limit`; `through` is how
   * far the sequence was read (past other communities' crossings), the cursor to continue from.
   */
  crossingsSince(communityId: string, afterSequence: number, limit: number): Promise<{ crossings: CampaignCrossing[]; through: number }>;
  /** The latest crossing's sequence (0 before the first): where a new follower starts. */
  crossingsHead(): Promise<number>;
  /** Calls `listener` with the community id ("" for none, or after a lost connection) when a crossing commits. */
  onCrossing(listener: (communityId: string) => void): () => void;
}

interface RawCrossing extends Omit<CampaignCrossing, "sequence" | "people" | "total" | "crossedAt" | "actionAt" | "unit" | "actionZone"> {
  sequence: string | number;
  people: number;
  total: string;
  unit: string | null;
  crossedAt: Date | string;
  actionAt: Date | string | null;
  actionZone: string | null;
}

async function head(em: EntityManager): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(em, `select sequence from ${tableOf(em, CrossingHeadEntity)} where id = 1`);
  return Number(row?.sequence ?? 0);
}

export function createDiscoPort(deps: Pick<DiscoDeps, "db" | "notifier">): DiscoPort {
  return {
    async crossingsSince(communityId, afterSequence, limit) {
      const em = deps.db.em().fork() as EntityManager;
      // The head first: every crossing up to it has committed (its transaction held the head's row lock).
      const upTo = await head(em);
      if (upTo <= afterSequence) return { crossings: [], through: afterSequence };
      const rows = await query<RawCrossing>(
        em,
        `select x.sequence, x.campaign_id as "campaignId", c.title as "campaignTitle", x.org_id as "orgId", x.project_id as "projectId",
           x.community_id as "communityId", x.threshold_id as "thresholdId", t.label as "thresholdLabel", x.people, x.total,
           (select q.unit from ${tableOf(em, SupplyQuestion)} q where q.id = t.supply_question_id) as unit,
           x.crossed_at as "crossedAt", c.action_at as "actionAt", c.action_zone as "actionZone"
         from ${tableOf(em, CrossingEntity)} x
         join ${tableOf(em, CampaignEntity)} c on c.id = x.campaign_id
         join ${tableOf(em, ThresholdEntity)} t on t.id = x.threshold_id
         where x.community_id = ? and x.sequence > ? and x.sequence <= ?
         order by x.sequence limit ?`,
        [communityId, afterSequence, upTo, limit],
      );
      const crossings = rows.map((r) => ({
        ...r,
        sequence: Number(r.sequence),
        total: Number(r.total),
        unit: r.unit ?? "",
        crossedAt: new Date(r.crossedAt),
        actionAt: r.actionAt === null ? null : new Date(r.actionAt),
        actionZone: r.actionZone ?? "",
      }));
      return { crossings, through: crossings.length === limit ? crossings[crossings.length - 1]!.sequence : upTo };
    },
    crossingsHead: () => head(deps.db.em().fork() as EntityManager),
    onCrossing(listener) {
      return deps.notifier.subscribe(CROSSINGS_CHANNEL, listener);
    },
  };
}
