// The surveys of a project a campaign may count, with their support roles (supply questions), for the
// campaign form's survey and threshold pickers.
import { serviceClient } from "../api.js";
import { SurveyService } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { RoleChoice } from "./disco-campaign-rows.js";

export interface SurveyChoice {
  id: string;
  title: string;
  roles: RoleChoice[];
}

export async function surveyChoices(projectId: string): Promise<SurveyChoice[]> {
  const { surveys } = await serviceClient(SurveyService).listSurveys({ projectId, pageSize: 200 });
  return surveys.map((s) => ({ id: s.id, title: s.title, roles: s.supplyQuestions.map((q) => ({ id: q.id, name: q.name, unit: q.unit })) }));
}
