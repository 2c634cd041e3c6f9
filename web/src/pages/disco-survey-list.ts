// A project's survey projects: each with its status and the ways to answer it, edit it and read its statistics;
// and, for those who may manage them, a form that creates a draft and opens it in the editor.
import { field, formatTime, formValues, h, table } from "../dom.js";
import { go, link } from "../router.js";
import { SurveyStatus } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { answerPath, statsPath, surveyCrumbs, surveyEditorPath, surveys, surveyStatusBadge } from "./disco-survey-client.js";
import { allowedOnProject, projectInfo } from "./disco-survey-project.js";
import { showError } from "./disco-survey-field-errors.js";

export async function surveyListPage(projectId: string): Promise<Node> {
  const [info, allowed, { surveys: list }] = await Promise.all([
    projectInfo(projectId),
    allowedOnProject(projectId, ["disco.survey.manage", "disco.statistics.read"]),
    surveys().listSurveys({ projectId, pageSize: 200 }),
  ]);
  const manage = allowed.has("disco.survey.manage");
  const rows = list.map((s) => [
    manage ? h("a", { href: link(surveyEditorPath(projectId, s.id)), "data-testid": "survey-link" }, s.title) : h("span", {}, s.title),
    surveyStatusBadge(s.status),
    formatTime(s.updateTime),
    h("span", { class: "inline" },
      s.status === SurveyStatus.DRAFT ? null : h("a", { href: link(answerPath(s.id)), "data-testid": "survey-answer-link" }, "Answer"),
      allowed.has("disco.statistics.read") ? [" ", h("a", { href: link(statsPath(s.id)), "data-testid": "survey-stats-link" }, "Statistics")] : null),
  ]);
  return h("div", { class: "grid halves" },
    h("section", { class: "card wide" },
      surveyCrumbs(info.orgId, info.orgName, projectId, info.projectName),
      h("h1", { "data-testid": "surveys-title" }, `Surveys of ${info.projectName}`),
      h("p", { class: "muted" }, "What people can give (support roles, pledged in hours or another unit) and what they need."),
      table(["Survey", "Status", "Updated", ""], rows, "surveys-table")),
    manage ? createForm(projectId) : null);
}

function createForm(projectId: string): HTMLElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { class: "compact", "data-testid": "survey-create-form" },
    field("Title", "survey-new-title", { name: "title", required: true, maxlength: 200, "data-field": "title", "data-testid": "survey-new-title" }),
    field("Category (optional)", "survey-new-category", { name: "category", maxlength: 32, placeholder: "food-bank", "data-field": "category" }),
    slot, h("button", { type: "submit", "data-testid": "survey-create" }, "Create draft survey"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    try {
      const { survey } = await surveys().createSurvey({ projectId, title: v.title.trim(), category: v.category.trim() });
      go(surveyEditorPath(projectId, survey?.id ?? ""));
    } catch (err) {
      showError(form, slot, err);
    }
  });
  return h("section", { class: "card" }, h("h2", {}, "New survey"),
    h("p", { class: "muted" }, "A new survey is a draft: add its questions in the editor, then open it."), form);
}
