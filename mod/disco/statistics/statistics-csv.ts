// The CSV form of a GetSurveyStatistics answer: one row per number, so any spreadsheet or chart tool can pivot
// it, and written from the very message GetSurveyStatistics returns, so the two always agree.
import { stringify } from "csv-stringify/sync";
import {
  type GetSurveyStatisticsResponse,
  type StatisticsCell,
  StatisticsDimension,
  type StatisticsGroup,
  SuppressionReason,
} from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";

// RFC 4180 line ends, and a leading apostrophe on cells a spreadsheet would run as a formula (numbers stay).
const CSV_OPTIONS = { record_delimiter: "windows", escape_formulas: true } as const;
const GROUPS_PER_CHUNK = 200;

const COLUMN_OF: Record<StatisticsDimension, string> = {
  [StatisticsDimension.UNSPECIFIED]: "group",
  [StatisticsDimension.COUNTRY]: "country",
  [StatisticsDimension.CITY]: "city",
  [StatisticsDimension.AGE_RANGE]: "age_range",
  [StatisticsDimension.DAY]: "day",
  [StatisticsDimension.WEEK]: "week",
  [StatisticsDimension.MONTH]: "month",
};
const isPlace = (d: StatisticsDimension) => d === StatisticsDimension.COUNTRY || d === StatisticsDimension.CITY;

export function headerOf(groupBy: StatisticsDimension[]): string[] {
  const keys = groupBy.flatMap((d) => (isPlace(d) ? [COLUMN_OF[d], `${COLUMN_OF[d]}_name`] : [COLUMN_OF[d]]));
  return ["scope", ...keys, "question_id", "question", "measure", "option", "value", "unit", "suppressed"];
}

type Cell = string | number;
interface Line { questionId?: string; question?: string; measure: string; option?: string; value?: number; unit?: string; hidden?: boolean }

const countLine = (measure: string, cell: StatisticsCell | undefined, q: Partial<Line> = {}): Line =>
  cell?.suppressed ? { ...q, measure, hidden: true } : { ...q, measure, value: cell?.count ?? 0 };

function linesOf(stats: GetSurveyStatisticsResponse, group: StatisticsGroup): Line[] {
  if (group.suppressed !== SuppressionReason.UNSPECIFIED) return [{ measure: "respondents", hidden: true }];
  const lines: Line[] = [{ measure: "respondents", value: group.respondents }];
  for (const [i, s] of group.supply.entries()) {
    const heading = stats.supplyQuestions[i]!;
    const q = { questionId: heading.id, question: heading.name };
    lines.push(countLine("pledgers", s.pledgers, q));
    lines.push(s.pledgers?.suppressed ? { ...q, measure: "total_amount", unit: heading.unit, hidden: true } : { ...q, measure: "total_amount", unit: heading.unit, value: s.totalAmount });
  }
  for (const [i, n] of group.needs.entries()) {
    const heading = stats.needQuestions[i]!;
    const q = { questionId: heading.id, question: heading.prompt };
    lines.push(countLine("answered", n.answered, q));
    const d = n.distribution;
    if (d.case === "boolean") lines.push(countLine("yes", d.value.yes, q), countLine("no", d.value.no, q));
    if (d.case === "choice") for (const o of d.value.options) lines.push(countLine("option", o.count, { ...q, option: o.option }));
    if (d.case === "number") lines.push({ ...q, measure: "sum", value: d.value.sum }, { ...q, measure: "average", value: d.value.average });
  }
  return lines;
}

function rowsOf(stats: GetSurveyStatisticsResponse, group: StatisticsGroup, scope: "total" | "group"): Cell[][] {
  const keys = stats.groupBy.flatMap((d, i) => {
    const key = group.keys[i];
    return isPlace(d) ? [key?.value ?? "", key?.label ?? ""] : [key?.value ?? ""];
  });
  return linesOf(stats, group).map((l) => [
    scope, ...keys, l.questionId ?? "", l.question ?? "", l.measure, l.option ?? "", l.hidden ? "" : (l.value ?? ""), l.unit ?? "", l.hidden ? "yes" : "no",
  ]);
}

/** The CSV in chunks: the header and the total first, then the groups a few hundred at a time. */
export function* csvChunksOf(stats: GetSurveyStatisticsResponse): Generator<Uint8Array> {
  const encode = (rows: Cell[][]) => new TextEncoder().encode(stringify(rows, CSV_OPTIONS));
  yield encode([headerOf(stats.groupBy), ...(stats.total ? rowsOf(stats, stats.total, "total") : [])]);
  for (let i = 0; i < stats.groups.length; i += GROUPS_PER_CHUNK) {
    yield encode(stats.groups.slice(i, i + GROUPS_PER_CHUNK).flatMap((g) => rowsOf(stats, g, "group")));
  }
}
