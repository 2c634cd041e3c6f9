// A statistics answer as tables and charts: respondents and pledges per group, then each need's distribution.
// A suppressed group or cell shows why, never a number: "fewer than 5" (below the minimum group size), "hidden"
// (so a neighbour cannot be worked out by subtraction), "withheld" (the total, when a group is suppressed).
import { h, table } from "../dom.js";
import {
  SuppressionReason, type GetSurveyStatisticsResponse, type NeedStatistic, type StatisticsCell, type StatisticsGroup,
} from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { NeedKind } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { amountText } from "./disco-survey-client.js";
import { barChart, type Bar } from "./disco-stats-chart.js";

type Cellish = string | HTMLElement;

export function hiddenText(reason: SuppressionReason, k: number): string {
  if (reason === SuppressionReason.COMPLEMENTARY) return "hidden";
  if (reason === SuppressionReason.WITHHELD) return "withheld";
  return `fewer than ${k}`;
}

const hidden = (reason: SuppressionReason, k: number) => h("span", { class: "suppressed", "data-testid": "suppressed", "data-reason": SuppressionReason[reason] }, hiddenText(reason, k));
const cellText = (c: StatisticsCell | undefined, k: number): Cellish => (!c ? "—" : c.suppressed ? hidden(c.suppressed, k) : String(c.count));
const groupLabel = (g: StatisticsGroup) => (g.keys.length ? g.keys.map((key) => key.label || key.value || "unknown").join(" · ") : "All respondents");

function rowHead(g: StatisticsGroup): HTMLElement {
  return h("span", { "data-testid": "stats-group", "data-key": g.keys.map((key) => key.value).join("|") || "total" }, groupLabel(g));
}

function distribution(n: NeedStatistic | undefined, k: number): Cellish[] {
  if (!n) return ["—"];
  if (n.answered?.suppressed) return [hidden(n.answered.suppressed, k)];
  const d = n.distribution;
  if (d.case === "boolean") return [`yes ${textOf(d.value.yes, k)}, no ${textOf(d.value.no, k)}`];
  if (d.case === "choice") return [d.value.options.map((o) => `${o.option}: ${textOf(o.count, k)}`).join(", ")];
  if (d.case === "number") return [`sum ${amountText(d.value.sum)}, average ${amountText(d.value.average)}`];
  return ["(text answers are only counted)"];
}

const textOf = (c: StatisticsCell | undefined, k: number) => (!c ? "—" : c.suppressed ? hiddenText(c.suppressed, k) : String(c.count));

export function statsView(res: GetSurveyStatisticsResponse): HTMLElement {
  const k = res.minGroupSize;
  const rows = res.groups.length ? res.groups : res.total ? [res.total] : [];
  const total = res.total;
  const totalLine = h("p", { class: "stats-total", "data-testid": "stats-total" }, "Respondents in all: ",
    !total ? "—" : total.suppressed ? hidden(total.suppressed, k) : h("strong", { "data-testid": "stats-total-count" }, String(total.respondents)));

  const supplyHeads = res.supplyQuestions.flatMap((q) => [`${q.name}: pledgers`, `${q.name}: pledged (${q.unit})`]);
  const overview = table(["Group", "Respondents", ...supplyHeads], rows.map((g) => [
    rowHead(g),
    g.suppressed ? hidden(g.suppressed, k) : String(g.respondents),
    ...res.supplyQuestions.flatMap((q) => {
      if (g.suppressed) return ["—", "—"];
      const s = g.supply.find((x) => x.supplyQuestionId === q.id);
      return [cellText(s?.pledgers, k), !s || s.pledgers?.suppressed ? "—" : amountText(s.totalAmount)];
    }),
  ]), "stats-table");

  const needTables = res.needQuestions.map((q) => h("div", { class: "stats-need", "data-testid": "stats-need", "data-question": q.id },
    h("h3", {}, q.groupName ? `${q.groupName}: ${q.prompt}` : q.prompt),
    table(["Group", "Answered", q.kind === NeedKind.TEXT ? "" : "Answers"], rows.map((g) => {
      if (g.suppressed) return [rowHead(g), hidden(g.suppressed, k), "—"];
      const n = g.needs.find((x) => x.needQuestionId === q.id);
      return [rowHead(g), cellText(n?.answered, k), ...distribution(n, k)];
    }), `stats-need-${q.id}`)));

  const bar = (g: StatisticsGroup, value: number | undefined, reason: SuppressionReason): Bar =>
    ({ label: groupLabel(g), value: reason ? undefined : value, hidden: reason ? hiddenText(reason, k) : undefined });
  const charts = res.groups.length
    ? [barChart("Respondents per group", res.groups.map((g) => bar(g, g.respondents, g.suppressed)), String, "chart-respondents"),
      ...res.supplyQuestions.map((q) => barChart(`${q.name}: pledged ${q.unit} per group`, res.groups.map((g) => {
        const s = g.supply.find((x) => x.supplyQuestionId === q.id);
        return bar(g, s?.totalAmount ?? 0, g.suppressed || s?.pledgers?.suppressed || SuppressionReason.UNSPECIFIED);
      }), amountText, "chart-pledged"))]
    : total && !total.suppressed && res.supplyQuestions.length
      ? [barChart("People pledging, per support role", res.supplyQuestions.map((q) => {
        const s = total.supply.find((x) => x.supplyQuestionId === q.id);
        return { label: q.name, value: s?.pledgers?.suppressed ? undefined : s?.pledgers?.count ?? 0, hidden: s?.pledgers?.suppressed ? hiddenText(s.pledgers.suppressed, k) : undefined };
      }), String, "chart-pledgers")]
      : [];

  return h("div", { class: "stats-view", "data-testid": "stats-view" },
    h("p", { class: "muted", "data-testid": "stats-k" }, `Groups of fewer than ${k} people are shown without numbers.`),
    totalLine, h("div", { class: "stats-charts" }, charts), h("h2", {}, "Pledges"), overview,
    res.needQuestions.length ? h("h2", {}, "Needs") : null, ...needTables);
}
