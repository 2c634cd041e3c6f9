// The survey, answer and statistics clients of the web app (on the app's authenticated transport; a visitor's
// calls go out without a token), and the words and paths the survey pages share.
import { serviceClient } from "../api.js";
import { h } from "../dom.js";
import { link } from "../router.js";
import { AgeRange, NeedKind, SurveyService, SurveyStatus } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { AnswerService } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { StatisticsService } from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";

export const surveys = () => serviceClient(SurveyService);
export const answers = () => serviceClient(AnswerService);
export const statistics = () => serviceClient(StatisticsService);

export const surveyListPath = (projectId: string) => `/disco/surveys/${projectId}`;
export const surveyEditorPath = (projectId: string, surveyId: string) => `/disco/surveys/${projectId}/${surveyId}`;
export const answerPath = (surveyId: string) => `/disco/answer/${surveyId}`;
export const statsPath = (surveyId: string) => `/disco/stats/${surveyId}`;

export const AGE_RANGES: Array<[AgeRange, string]> = [
  [AgeRange.AGE_RANGE_UNDER_18, "under 18"], [AgeRange.AGE_RANGE_18_24, "18–24"], [AgeRange.AGE_RANGE_25_34, "25–34"],
  [AgeRange.AGE_RANGE_35_44, "35–44"], [AgeRange.AGE_RANGE_45_54, "45–54"], [AgeRange.AGE_RANGE_55_64, "55–64"],
  [AgeRange.AGE_RANGE_65_PLUS, "65 or older"],
];

export const NEED_KINDS: Array<[NeedKind, string]> = [
  [NeedKind.BOOLEAN, "yes / no"], [NeedKind.TEXT, "text"], [NeedKind.NUMBER, "number"], [NeedKind.CHOICE, "choice"],
];

export const STATUS_LABEL: Record<number, string> = { [SurveyStatus.DRAFT]: "draft", [SurveyStatus.OPEN]: "open", [SurveyStatus.CLOSED]: "closed" };
export const STATUSES = [SurveyStatus.DRAFT, SurveyStatus.OPEN, SurveyStatus.CLOSED];

export function surveyStatusBadge(status: SurveyStatus): HTMLElement {
  const tone = status === SurveyStatus.OPEN ? "ok" : status === SurveyStatus.DRAFT ? "warn" : "neutral";
  return h("span", { class: `badge ${tone}`, "data-testid": "survey-status", "data-status": STATUS_LABEL[status] ?? "" }, STATUS_LABEL[status] ?? "unknown");
}

/** The survey pages' way back: the org, then its project's surveys. */
export function surveyCrumbs(orgId: string, orgName: string, projectId: string, projectName: string): HTMLElement {
  return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
    h("a", { href: link("/orgs") }, "Organisations"), " / ", h("a", { href: link(`/orgs/${orgId}`) }, orgName), " / ",
    h("a", { href: link(surveyListPath(projectId)) }, `${projectName}: surveys`));
}

/** An amount without float noise: at most two decimals, as the API keeps them. */
export const amountText = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ""));
