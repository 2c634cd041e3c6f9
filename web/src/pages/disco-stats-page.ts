// A survey's statistics (#/disco/stats/<survey id>), for its project's admins: filters and grouping, the answer
// as charts and tables with small groups suppressed, and the same query downloaded as CSV.
import { h } from "../dom.js";
import { attempt } from "../errors.js";
import { link } from "../router.js";
import { statistics, surveyCrumbs, surveyEditorPath, surveys, surveyStatusBadge } from "./disco-survey-client.js";
import { projectInfo } from "./disco-survey-project.js";
import { statsFilters } from "./disco-stats-filters.js";
import { statsView } from "./disco-stats-view.js";
import { downloadStatisticsCsv } from "./disco-stats-csv.js";
import { showError } from "./disco-survey-field-errors.js";

export async function statsPage(surveyId: string): Promise<Node> {
  const { survey } = await surveys().getSurvey({ surveyId });
  if (!survey) throw new Error("No such survey.");
  const { projectId } = survey;
  const info = await projectInfo(projectId, survey.orgId);
  const result = h("div", { "aria-live": "polite", "data-testid": "stats-result" });
  const slot = h("div", { class: "slot" });
  let shown = 0;

  const load = async () => {
    const mine = ++shown;
    result.setAttribute("aria-busy", "true");
    try {
      const res = await statistics().getSurveyStatistics({ projectId, surveyProjectId: surveyId, query: filters.read() });
      if (mine !== shown) return;
      filters.element.querySelectorAll(".field-error").forEach((el) => el.remove());
      slot.replaceChildren();
      result.replaceChildren(statsView(res));
    } catch (err) {
      if (mine !== shown) return;
      result.replaceChildren();
      showError(filters.element, slot, err);
    } finally {
      if (mine === shown) result.removeAttribute("aria-busy");
    }
  };
  const filters = statsFilters(() => void load());

  const csvSlot = h("div", { class: "slot" });
  const csv = h("button", { type: "button", class: "secondary", "data-testid": "stats-csv", onclick: async () => {
    csv.disabled = true;
    await attempt(csvSlot, () => downloadStatisticsCsv(projectId, surveyId, filters.read(), survey.title));
    csv.disabled = false;
  } }, "Download CSV");

  // The first answer is the page: refused (no permission) the page is the error, not empty filters.
  result.replaceChildren(statsView(await statistics().getSurveyStatistics({ projectId, surveyProjectId: surveyId, query: filters.read() })));
  return h("div", { class: "grid" },
    h("section", { class: "card wide" },
      surveyCrumbs(info.orgId, info.orgName, projectId, info.projectName),
      h("div", { class: "survey-head" }, h("h1", { "data-testid": "stats-title" }, `Statistics: ${survey.title}`), surveyStatusBadge(survey.status)),
      h("p", { class: "inline" }, h("a", { href: link(surveyEditorPath(projectId, surveyId)) }, "Edit the survey"), " ", csv),
      csvSlot, filters.element, slot),
    h("section", { class: "card wide" }, result));
}
