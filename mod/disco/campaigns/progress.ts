// A campaign's progress: per threshold, the people whose counted pledge reaches the minimum and the sum of the
// counted pledges, read from the surveys area's tables (a set counts once it belongs to an account and is not
// withdrawn). Aggregates only: nothing here ever names who pledged.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
// The surveys area owns these tables; this one only reads them.
import { AnswerSet, Pledge, SupplyQuestion, SurveyProject } from "../surveys/entities.js";
import { CampaignEntity, ThresholdEntity } from "./entities.js";

export interface ThresholdMeasure {
  id: string;
  campaignId: string;
  position: number;
  label: string;
  supplyQuestionId: string;
  minAmount: number;
  peopleRequired: number;
  totalRequired: number;
  crossedAt: Date | null;
  unit: string;
  people: number;
  total: number;
}

interface RawMeasure {
  id: string;
  campaignId: string;
  position: number;
  label: string;
  supplyQuestionId: string;
  minAmount: string;
  peopleRequired: number;
  totalRequired: string;
  crossedAt: Date | string | null;
  unit: string | null;
  people: string | number;
  total: string | number;
}

/** Every threshold of these campaigns with where it stands now, by campaign then position. */
export async function measureThresholds(em: EntityManager, campaignIds: string[]): Promise<ThresholdMeasure[]> {
  if (campaignIds.length === 0) return [];
  // A deleted survey project or supply question counts nothing; so does a question of another survey.
  const rows = await query<RawMeasure>(
    em,
    `select t.id, t.campaign_id as "campaignId", t.position, t.label, t.supply_question_id as "supplyQuestionId",
       t.min_amount as "minAmount", t.people_required as "peopleRequired", t.total_required as "totalRequired",
       t.crossed_at as "crossedAt", max(q.unit) as unit,
       count(a.id) filter (where p.amount > 0 and p.amount >= t.min_amount) as people,
       coalesce(sum(p.amount) filter (where a.id is not null), 0) as total
     from ${tableOf(em, ThresholdEntity)} t
     join ${tableOf(em, CampaignEntity)} c on c.id = t.campaign_id
     left join ${tableOf(em, SupplyQuestion)} q on q.id = t.supply_question_id and q.survey_project_id = c.survey_project_id
       and q.deleted_at is null
       and exists (select 1 from ${tableOf(em, SurveyProject)} s where s.id = q.survey_project_id and s.deleted_at is null)
     left join ${tableOf(em, Pledge)} p on p.supply_question_id = q.id
     left join ${tableOf(em, AnswerSet)} a on a.id = p.answer_set_id and a.account_id is not null and a.withdrawn_at is null
     where t.campaign_id in (?)
     group by t.id
     order by t.campaign_id, t.position`,
    [campaignIds],
  );
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaignId,
    position: r.position,
    label: r.label,
    supplyQuestionId: r.supplyQuestionId,
    minAmount: Number(r.minAmount),
    peopleRequired: r.peopleRequired,
    totalRequired: Number(r.totalRequired),
    crossedAt: r.crossedAt === null ? null : new Date(r.crossedAt),
    unit: r.unit ?? "",
    people: Number(r.people),
    total: Number(r.total),
  }));
}

/** Both requirements a threshold sets (an unset one, 0, is always met). */
export function isReached(m: Pick<ThresholdMeasure, "people" | "total" | "peopleRequired" | "totalRequired">): boolean {
  return m.people >= m.peopleRequired && m.total >= m.totalRequired;
}

export function byCampaign(measures: ThresholdMeasure[]): Map<string, ThresholdMeasure[]> {
  const out = new Map<string, ThresholdMeasure[]>();
  for (const m of measures) out.set(m.campaignId, [...(out.get(m.campaignId) ?? []), m]);
  return out;
}
