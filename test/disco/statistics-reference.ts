// The statistics the stage's answers should give, counted in plain TypeScript (Intl for the zone's local days),
// and the walk that reads a GetSurveyStatistics answer or its CSV as the same flat list of numbers.
import type { GetSurveyStatisticsResponse, StatisticsGroup } from "../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import type { StageAnswer, StageSurvey } from "./statistics-stage.js";

export type RefDimension = "country" | "city" | "age_range" | "day" | "week" | "month";

/** (question id, measure, option) → value, for one group. */
export type Numbers = Map<string, number>;
export const cellKey = (questionId: string, measure: string, option = "") => `${questionId}|${measure}|${option}`;

function localDay(at: Date, zone: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: get("year"), m: get("month"), d: get("day") };
}

const iso = (date: Date) => date.toISOString().slice(0, 10);

export function bucketOf(at: Date, dimension: "day" | "week" | "month", zone: string): string {
  const { y, m, d } = localDay(at, zone);
  if (dimension === "month") return iso(new Date(Date.UTC(y, m - 1, 1)));
  const day = new Date(Date.UTC(y, m - 1, d));
  if (dimension === "day") return iso(day);
  return iso(new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000));
}

function keyOf(a: StageAnswer, dimension: RefDimension, zone: string): string {
  if (dimension === "country") return a.countryId ?? "";
  if (dimension === "city") return a.placeId ?? "";
  if (dimension === "age_range") return a.ageRange ?? "";
  return bucketOf(a.submittedAt, dimension, zone);
}

function numbersOf(answers: StageAnswer[], s: StageSurvey): Numbers {
  const n: Numbers = new Map();
  const add = (key: string, value: number) => n.set(key, (n.get(key) ?? 0) + value);
  n.set(cellKey("", "respondents"), answers.length);
  for (const [id, field] of [[s.cookId, "cook"], [s.teachId, "teach"]] as const) {
    const pledged = answers.map((a) => a[field]).filter((v): v is number => v !== undefined && v > 0);
    n.set(cellKey(id, "pledgers"), pledged.length);
    n.set(cellKey(id, "total_amount"), pledged.reduce((x, y) => x + y, 0));
  }
  const booleans = answers.map((a) => a.childcare).filter((v) => v !== undefined);
  n.set(cellKey(s.childcareId, "answered"), booleans.length);
  n.set(cellKey(s.childcareId, "yes"), booleans.filter((v) => v).length);
  n.set(cellKey(s.childcareId, "no"), booleans.filter((v) => !v).length);
  const choices = answers.map((a) => a.transport).filter((v) => v !== undefined);
  n.set(cellKey(s.transportId, "answered"), choices.length);
  for (const option of s.transportOptions ?? ["bike", "car", "bus"]) n.set(cellKey(s.transportId, "option", option), 0);
  for (const c of choices) add(cellKey(s.transportId, "option", c), 1);
  const kids = answers.map((a) => a.kids).filter((v): v is number => v !== undefined);
  n.set(cellKey(s.kidsId, "answered"), kids.length);
  n.set(cellKey(s.kidsId, "sum"), kids.reduce((x, y) => x + y, 0));
  n.set(cellKey(s.kidsId, "average"), kids.length ? kids.reduce((x, y) => x + y, 0) / kids.length : 0);
  n.set(cellKey(s.noteId, "answered"), answers.filter((a) => a.note).length);
  return n;
}

/** Group key ("FR|25-34", "" parts for unknown; "*" the total) → its numbers. */
export function referenceOf(all: StageAnswer[], s: StageSurvey, dimensions: RefDimension[], zone = "UTC"): Map<string, Numbers> {
  const counted = all.filter((a) => a.accountId && !a.withdrawn);
  const groups = new Map<string, StageAnswer[]>();
  for (const a of counted) {
    const key = dimensions.map((d) => keyOf(a, d, zone)).join("|");
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const out = new Map<string, Numbers>([["*", numbersOf(counted, s)]]);
  if (dimensions.length) for (const [key, answers] of groups) out.set(key, numbersOf(answers, s));
  return out;
}

/** What a group of the answer shows: its numbers (suppressed cells left out) and its suppressed cells. */
export function shownOf(stats: GetSurveyStatisticsResponse, group: StatisticsGroup): { numbers: Numbers; suppressed: Set<string> } {
  const numbers: Numbers = new Map();
  const suppressed = new Set<string>();
  const cell = (key: string, c: { count: number; suppressed: number } | undefined) => (c?.suppressed ? suppressed.add(key) : numbers.set(key, c?.count ?? 0));
  if (group.suppressed) {
    suppressed.add(cellKey("", "respondents"));
    return { numbers, suppressed };
  }
  numbers.set(cellKey("", "respondents"), group.respondents);
  for (const [i, p] of group.supply.entries()) {
    const id = stats.supplyQuestions[i]!.id;
    cell(cellKey(id, "pledgers"), p.pledgers);
    if (p.pledgers?.suppressed) suppressed.add(cellKey(id, "total_amount"));
    else numbers.set(cellKey(id, "total_amount"), p.totalAmount);
  }
  for (const [i, need] of group.needs.entries()) {
    const id = stats.needQuestions[i]!.id;
    cell(cellKey(id, "answered"), need.answered);
    const d = need.distribution;
    if (d.case === "boolean") {
      cell(cellKey(id, "yes"), d.value.yes);
      cell(cellKey(id, "no"), d.value.no);
    }
    if (d.case === "choice") for (const o of d.value.options) cell(cellKey(id, "option", o.option), o.count);
    if (d.case === "number") {
      numbers.set(cellKey(id, "sum"), d.value.sum);
      numbers.set(cellKey(id, "average"), d.value.average);
    }
  }
  return { numbers, suppressed };
}

export const groupKeyOf = (group: StatisticsGroup) => (group.keys.length ? group.keys.map((k) => k.value).join("|") : "*");
