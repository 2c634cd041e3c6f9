// Who a statistics query counts: the counted answer sets of one survey (an account's, not withdrawn) that pass
// the filters, each with its group keys. Every aggregate starts from this one CTE, so they agree.
import type { EntityManager } from "../../../sys/core/db.js";
import { tableOf } from "../../../sys/core/sql.js";
import { AnswerSet } from "../surveys/entities.js";

export type Dimension = "country" | "city" | "age_range" | "day" | "week" | "month";
export const TIME_DIMENSIONS: readonly Dimension[] = ["day", "week", "month"];

export interface PopulationQuery {
  surveyProjectId: string;
  /** Zero, one or two; at most one time dimension. */
  dimensions: Dimension[];
  /** IANA zone for the time dimensions. */
  timeZone: string;
  countryId?: string;
  placeId?: string;
  /** Stored age-range values ("25-34"); empty: all. */
  ageRanges: string[];
  submittedFrom?: Date;
  submittedTo?: Date;
}

export interface Population {
  /** `with sets as (…)`: columns id, g1, g2 (a missing dimension is the constant ''). */
  cte: string;
  params: unknown[];
}

function keyOf(dimension: Dimension | undefined, zone: string, params: unknown[]): string {
  switch (dimension) {
    case undefined:
      return `''`;
    case "country":
      return `coalesce(s.country_id, '')`;
    case "city":
      return `coalesce(s.place_id, '')`;
    case "age_range":
      return `coalesce(s.age_range, '')`;
    default:
      // The bucket's first local day in the zone; PostgreSQL's tz data settles DST.
      params.push(zone);
      return `to_char(date_trunc('${dimension}', s.submitted_at at time zone ?), 'YYYY-MM-DD')`;
  }
}

export function populationOf(em: EntityManager, q: PopulationQuery): Population {
  const params: unknown[] = [];
  const g1 = keyOf(q.dimensions[0], q.timeZone, params);
  const g2 = keyOf(q.dimensions[1], q.timeZone, params);
  const where = [`s.survey_project_id = ?`, `s.account_id is not null`, `s.withdrawn_at is null`];
  params.push(q.surveyProjectId);
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (q.countryId) add(`s.country_id = ?`, q.countryId);
  if (q.placeId) add(`s.place_id = ?`, q.placeId);
  if (q.ageRanges.length) add(`s.age_range in (${q.ageRanges.map(() => "?").join(", ")})`, ...q.ageRanges);
  if (q.submittedFrom) add(`s.submitted_at >= ?`, q.submittedFrom);
  if (q.submittedTo) add(`s.submitted_at < ?`, q.submittedTo);
  const cte = `with sets as (select s.id, ${g1} as g1, ${g2} as g2 from ${tableOf(em, AnswerSet)} s where ${where.join(" and ")})`;
  return { cte, params };
}
