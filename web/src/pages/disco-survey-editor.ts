// The survey editor: title, description, category and status (draft, open, closed) with the question lists,
// saved together by UpdateSurvey (the whole question list each time, so what is shown is what is kept). A
// refused field is shown at its control.
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { go, link } from "../router.js";
import { SurveyStatus, type Survey } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { answerPath, STATUS_LABEL, STATUSES, statsPath, surveyCrumbs, surveyListPath, surveys, surveyStatusBadge } from "./disco-survey-client.js";
import { projectInfo } from "./disco-survey-project.js";
import { createQuestionsEditor } from "./disco-survey-questions.js";
import { showError } from "./disco-survey-field-errors.js";

export async function surveyEditorPage(projectId: string, surveyId: string): Promise<Node> {
  const [{ survey }, info] = await Promise.all([surveys().getSurvey({ surveyId }), projectInfo(projectId)]);
  if (!survey || survey.projectId !== projectId) throw new Error("This survey does not belong to this project.");

  const title = h("input", { id: "survey-title", maxlength: 200, required: true, "data-field": "title", "data-testid": "survey-title" });
  const description = h("textarea", { id: "survey-description", rows: 4, maxlength: 20000, "data-field": "description", "data-testid": "survey-description" });
  const category = h("input", { id: "survey-category", maxlength: 32, placeholder: "food-bank", "data-field": "category", "data-testid": "survey-category" });
  const status = h("select", { id: "survey-status", "data-field": "status", "data-testid": "survey-status-select" },
    STATUSES.map((s) => h("option", { value: s }, STATUS_LABEL[s])));
  const questions = createQuestionsEditor();
  const heading = h("h1", { "data-testid": "survey-heading" });
  const badge = h("span", {});
  const links = h("p", { class: "inline" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });

  function show(s: Survey): void {
    heading.textContent = s.title;
    badge.replaceChildren(surveyStatusBadge(s.status));
    title.value = s.title;
    description.value = s.description;
    category.value = s.category;
    status.value = String(s.status);
    questions.load(s);
    links.replaceChildren(
      s.status === SurveyStatus.DRAFT ? h("span", { class: "muted" }, "Open the survey to take answers.")
        : h("a", { href: link(answerPath(s.id)), "data-testid": "survey-answer-link" }, "Answer form"),
      " ", h("a", { href: link(statsPath(s.id)), "data-testid": "survey-stats-link" }, "Statistics"));
  }

  const row = (label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: control.id }, label), control);
  const save = h("button", { type: "submit", "data-testid": "survey-save" }, "Save survey");
  const form = h("form", { class: "survey-editor", "data-testid": "survey-form" },
    h("div", { class: "fields-row" }, row("Title", title), row("Category", category), row("Status", status)),
    row("Description", description), questions.element, slot, save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    try {
      const { survey: saved } = await surveys().updateSurvey({
        projectId, surveyId, title: title.value.trim(), description: description.value, category: category.value.trim(),
        status: Number(status.value) as SurveyStatus, questions: questions.read(),
      });
      if (saved) show(saved);
      slot.replaceChildren(okBox("Saved."));
    } catch (err) {
      showError(form, slot, err);
    } finally {
      save.disabled = false;
    }
  });

  const deleteSlot = h("div", { class: "slot" });
  const remove = h("button", { type: "button", class: "danger", "data-testid": "survey-delete", onclick: async () => {
    if (!confirm(`Delete the survey "${title.value}"? Its answers stop counting.`)) return;
    if (await attempt(deleteSlot, () => surveys().deleteSurvey({ projectId, surveyId }))) go(surveyListPath(projectId));
  } }, "Delete survey");

  show(survey);
  return h("div", { class: "grid" },
    h("section", { class: "card wide" }, surveyCrumbs(info.orgId || survey.orgId, info.orgName, projectId, info.projectName),
      h("div", { class: "survey-head" }, heading, badge), links, form),
    h("section", { class: "card wide" }, h("h2", {}, "Delete"), deleteSlot, remove));
}
