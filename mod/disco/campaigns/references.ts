// What a campaign write names outside itself, checked before anything is stored: the project (its org comes
// from sys, never from the request), the place (timespace), the action time (the zone's rules, with DST handled
// as the organisers chose), the community to notify (of the same org), and — inside the write's transaction —
// the survey project (of the same project) and its supply questions.
import { Code } from "@connectrpc/connect";
import type { ActionTime } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError, failedPrecondition, invalidArgument, notFound } from "../../../sys/core/errors.js";
import type { ProjectInfo } from "../../../sys/core/ports/directory-port.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { DiscoDeps } from "../deps.js";
import { SupplyQuestion, SurveyProject } from "../surveys/entities.js";
import { disambiguationFromProto, type DisambiguationName } from "./codec.js";

export async function projectOf(deps: DiscoDeps, projectId: string, bearer: string | undefined): Promise<ProjectInfo> {
  const project = await deps.directory.getProject(projectId.toLowerCase(), bearer);
  if (!project) throw notFound("project", projectId);
  return project;
}

export async function placeOf(deps: DiscoDeps, placeId: string): Promise<{ placeId: string | null; countryId: string | null }> {
  if (!placeId) return { placeId: null, countryId: null };
  const [place] = await deps.timespace().getPlaces([placeId], "en");
  if (!place) throw invalidArgument("campaign.place_id", `unknown place ${placeId}`, "UNKNOWN_PLACE");
  return { placeId: place.id, countryId: place.countryId };
}

export interface ResolvedAction {
  actionLocal: string | null;
  actionZone: string | null;
  actionDisambiguation: DisambiguationName | null;
  actionAt: Date | null;
}

const DST_REASONS = new Set(["SKIPPED_LOCAL_TIME", "AMBIGUOUS_LOCAL_TIME"]);

export function actionOf(deps: DiscoDeps, action: ActionTime | undefined): ResolvedAction {
  if (!action || (!action.localTime && !action.timeZone)) return { actionLocal: null, actionZone: null, actionDisambiguation: null, actionAt: null };
  if (!action.localTime) throw invalidArgument("campaign.action.local_time", "a local time is needed with a time zone");
  const time = deps.time;
  if (!time.isZone(action.timeZone)) throw invalidArgument("campaign.action.time_zone", `unknown time zone ${action.timeZone}`, "UNKNOWN_TIME_ZONE");
  const disambiguation = disambiguationFromProto(action.disambiguation);
  try {
    const { instant } = time.localToInstant(action.localTime, action.timeZone, disambiguation);
    return { actionLocal: action.localTime, actionZone: action.timeZone, actionDisambiguation: disambiguation, actionAt: instant };
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason !== "string") throw error;
    const message = `campaign.action: ${(error as Error).message}`;
    throw DST_REASONS.has(reason) ? failedPrecondition(reason, message) : apiError(Code.InvalidArgument, reason, message, { field: "campaign.action" });
  }
}

export async function checkCommunity(deps: DiscoDeps, communityId: string, orgId: string, bearer: string | undefined): Promise<string | null> {
  if (!communityId) return null;
  const community = await deps.directory.getCommunity(communityId.toLowerCase(), bearer);
  if (!community || community.orgId !== orgId) {
    throw invalidArgument("campaign.notify_community_id", `community ${communityId} is not a community of the project's org`, "UNKNOWN_COMMUNITY");
  }
  return community.id;
}

/** The survey project must be the same project's, and each threshold's supply question one of its live ones. */
export async function checkSurvey(tx: EntityManager, projectId: string, surveyProjectId: string | null, supplyQuestionIds: string[]): Promise<void> {
  if (!surveyProjectId) {
    if (supplyQuestionIds.length > 0) throw invalidArgument("campaign.survey_project_id", "thresholds count the pledges of a survey project: name one", "SURVEY_PROJECT_REQUIRED");
    return;
  }
  const surveys = await query(tx, `select id from ${tableOf(tx, SurveyProject)} where id = ? and project_id = ? and deleted_at is null`, [surveyProjectId, projectId]);
  if (surveys.length === 0) throw invalidArgument("campaign.survey_project_id", `survey project ${surveyProjectId} is not a survey project of project ${projectId}`, "UNKNOWN_SURVEY_PROJECT");
  if (supplyQuestionIds.length === 0) return;
  const known = new Set(
    (await query<{ id: string }>(tx, `select id from ${tableOf(tx, SupplyQuestion)} where survey_project_id = ? and deleted_at is null and id in (?)`, [surveyProjectId, supplyQuestionIds])).map((r) => r.id),
  );
  supplyQuestionIds.forEach((id, i) => {
    if (!known.has(id)) throw invalidArgument(`campaign.thresholds[${i}].supply_question_id`, `${id} is not a supply question of survey project ${surveyProjectId}`, "UNKNOWN_SUPPLY_QUESTION");
  });
}
