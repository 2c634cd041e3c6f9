// Authorization-matrix cases for StatisticsService (to be merged into CASES of matrix-cases.ts): both RPCs name
// the project ("project/{project_id}", disco.statistics.read: org admins and the project's admins). The survey
// id names nothing, so an allowed call is answered NOT_FOUND by the handler, after authorization; a survey of
// another project is NOT_FOUND too (test/disco/statistics.test.ts).
import { StatisticsDimension } from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import type { Case, Cell } from "./matrix-cases.js";

const query = { groupBy: [StatisticsDimension.COUNTRY], filter: { countryId: "FR" } };
const request = (c: Cell) => ({ projectId: c.org.projectId, surveyProjectId: crypto.randomUUID(), query });

export const DISCO_STATISTICS_CASES: Record<string, Case> = {
  "StatisticsService/GetSurveyStatistics": { variants: { default: request } },
  "StatisticsService/ExportSurveyStatistics": { variants: { default: request } },
};
