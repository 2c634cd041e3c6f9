// The survey a statistics query is about and the questions it reports: the survey must belong to the project
// the caller was authorized on (else NOT_FOUND, as if it did not exist), and asked-for questions must be its own.
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { NeedQuestion, SupplyQuestion, SurveyProject, type NeedKind } from "../surveys/entities.js";

export interface SupplyHeading { id: string; name: string; unit: string }
export interface NeedHeading { id: string; groupName: string; prompt: string; kind: NeedKind; options: string[] }

export interface SurveyScope {
  supply: SupplyHeading[];
  needs: NeedHeading[];
}

export async function surveyScopeOf(em: EntityManager, projectId: string, surveyProjectId: string, questionIds: string[]): Promise<SurveyScope> {
  const [survey] = await query<{ id: string }>(
    em,
    `select id from ${tableOf(em, SurveyProject)} where id = ? and project_id = ? and deleted_at is null`,
    [surveyProjectId, projectId],
  );
  if (!survey) throw notFound("survey project", surveyProjectId);
  const supply = await query<SupplyHeading>(
    em,
    `select id, name, unit from ${tableOf(em, SupplyQuestion)} where survey_project_id = ? and deleted_at is null order by position, id`,
    [surveyProjectId],
  );
  const needs = await query<NeedHeading>(
    em,
    `select id, group_name as "groupName", prompt, kind, options from ${tableOf(em, NeedQuestion)}
     where survey_project_id = ? and deleted_at is null order by position, id`,
    [surveyProjectId],
  );
  if (questionIds.length === 0) return { supply, needs };
  const asked = new Set(questionIds.map((id) => id.toLowerCase()));
  const known = new Set([...supply, ...needs].map((q) => q.id));
  const unknown = [...asked].find((id) => !known.has(id));
  if (unknown) throw notFound("question", unknown);
  return { supply: supply.filter((q) => asked.has(q.id)), needs: needs.filter((q) => asked.has(q.id)) };
}
