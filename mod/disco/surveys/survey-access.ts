// Who sees a survey: an open or closed one, anyone; a draft, only those who may manage it — the others are told
// it does not exist, as a list leaves it out.
import type { HandlerContext } from "@connectrpc/connect";
import { bearerOf, principalOf } from "../../../sys/core/authn/principal.js";
import { notFound } from "../../../sys/core/errors.js";
import type { DiscoDeps } from "../deps.js";
import type { SurveyRow } from "./survey-rows.js";

export const MANAGE_SURVEYS = "disco.survey.manage";

/** Whether the caller may manage the project's surveys (false for an anonymous caller). */
export async function mayManageSurveys(deps: DiscoDeps, ctx: HandlerContext, projectId: string): Promise<boolean> {
  const principal = principalOf(ctx);
  if (!principal) return false;
  const decision = await deps.authz.check({ principalId: principal.accountId, permission: MANAGE_SURVEYS, resource: `project/${projectId}`, bearer: bearerOf(ctx) });
  return decision.allowed;
}

/** The survey when the caller may see it; a draft is NOT_FOUND to those who may not manage it. */
export async function visibleSurvey(deps: DiscoDeps, ctx: HandlerContext, row: SurveyRow): Promise<SurveyRow> {
  if (row.status === "draft" && !(await mayManageSurveys(deps, ctx, row.projectId))) throw notFound("survey", row.id);
  return row;
}
