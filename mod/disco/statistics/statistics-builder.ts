// Turns the raw aggregates into the GetSurveyStatistics answer, applying the privacy rules (cells.ts) to every
// group and cell: nothing below the minimum group size leaves this file as a number.
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type GetSurveyStatisticsResponseSchema,
  type NeedStatisticSchema,
  type StatisticsCellSchema,
  StatisticsDimension,
  type StatisticsGroupSchema,
  SuppressionReason,
  type SupplyStatisticSchema,
} from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { NeedKind } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { AGE_RANGES, type NeedKind as StoredNeedKind } from "../surveys/entities.js";
import type { Aggregates, ChoiceRow, Keyed, NeedRow, SupplyRow } from "./aggregates.js";
import { type Hidden, isSmall, suppressCells, suppressGroups } from "./cells.js";
import type { Dimension } from "./population.js";
import type { NeedHeading, SurveyScope } from "./survey-scope.js";

type GroupInit = MessageInitShape<typeof StatisticsGroupSchema>;

export const DIMENSION_OF: Record<Dimension, StatisticsDimension> = {
  country: StatisticsDimension.COUNTRY,
  city: StatisticsDimension.CITY,
  age_range: StatisticsDimension.AGE_RANGE,
  day: StatisticsDimension.DAY,
  week: StatisticsDimension.WEEK,
  month: StatisticsDimension.MONTH,
};

const KIND_OF: Record<StoredNeedKind, NeedKind> = { boolean: NeedKind.BOOLEAN, text: NeedKind.TEXT, number: NeedKind.NUMBER, choice: NeedKind.CHOICE };

const REASON: Record<Exclude<Hidden, "">, SuppressionReason> = {
  below: SuppressionReason.BELOW_MINIMUM,
  complementary: SuppressionReason.COMPLEMENTARY,
  withheld: SuppressionReason.WITHHELD,
};
const reasonOf = (hidden: Hidden) => (hidden === "" ? SuppressionReason.UNSPECIFIED : REASON[hidden]);
const cellOf = (count: number, hidden: Hidden): MessageInitShape<typeof StatisticsCellSchema> => (hidden === "" ? { count } : { suppressed: reasonOf(hidden) });

export interface BuildInput {
  scope: SurveyScope;
  aggregates: Aggregates;
  dimensions: Dimension[];
  minGroupSize: number;
  /** Place names by place id, for the COUNTRY and CITY keys. */
  placeNames: Map<string, string>;
}

const groupKey = (row: Keyed) => (row.total ? "*" : `${row.g1}\u0000${row.g2}`);

function indexBy<T extends Keyed & { q: string }>(rows: T[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const row of rows) index.set(groupKey(row), [...(index.get(groupKey(row)) ?? []), row]);
  return index;
}

function supplyOf(id: string, row: SupplyRow | undefined, respondents: number, k: number): MessageInitShape<typeof SupplyStatisticSchema> {
  const pledgers = row?.pledgers ?? 0;
  const [hidden] = suppressCells([pledgers], respondents, k);
  return { supplyQuestionId: id, pledgers: cellOf(pledgers, hidden!), totalAmount: hidden === "" ? (row?.amount ?? 0) : 0 };
}

function needOf(q: NeedHeading, row: NeedRow | undefined, choices: ChoiceRow[], k: number): MessageInitShape<typeof NeedStatisticSchema> {
  const answered = row?.answered ?? 0;
  if (isSmall(answered, k)) return { needQuestionId: q.id, answered: cellOf(answered, "below") };
  const base = { needQuestionId: q.id, answered: cellOf(answered, "") };
  switch (q.kind) {
    case "boolean": {
      const counts = [row?.yes ?? 0, row?.no ?? 0];
      const [yes, no] = suppressCells(counts, answered, k);
      return { ...base, distribution: { case: "boolean", value: { yes: cellOf(counts[0]!, yes!), no: cellOf(counts[1]!, no!) } } };
    }
    case "choice": {
      const counts = q.options.map((option) => choices.find((c) => c.q === q.id && c.v === option)?.n ?? 0);
      const hidden = suppressCells(counts, answered, k);
      const options = q.options.map((option, i) => ({ option, count: cellOf(counts[i]!, hidden[i]!) }));
      return { ...base, distribution: { case: "choice", value: { options } } };
    }
    case "number":
      return { ...base, distribution: { case: "number", value: { sum: row?.sum ?? 0, average: row?.avg ?? 0 } } };
    default:
      return { ...base, distribution: { case: "text", value: {} } };
  }
}

function compareKeys(dimensions: Dimension[]) {
  const rank = (dimension: Dimension, value: string) =>
    value === "" ? "\uffff" : dimension === "age_range" ? String((AGE_RANGES as readonly string[]).indexOf(value)).padStart(2, "0") : value;
  return (a: Keyed, b: Keyed) => {
    for (const [i, dimension] of dimensions.entries()) {
      const [x, y] = [rank(dimension, i === 0 ? a.g1 : a.g2), rank(dimension, i === 0 ? b.g1 : b.g2)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

export function buildStatistics(input: BuildInput): MessageInitShape<typeof GetSurveyStatisticsResponseSchema> {
  const { scope, aggregates, dimensions, minGroupSize: k, placeNames } = input;
  const supplyRows = indexBy(aggregates.supply);
  const needRows = indexBy(aggregates.needs);
  const choiceRows = indexBy(aggregates.choices);
  const totalRow = aggregates.respondents.find((r) => r.total) ?? { g1: "", g2: "", total: true, n: 0 };
  const groupRows = dimensions.length === 0 ? [] : aggregates.respondents.filter((r) => !r.total).sort(compareKeys(dimensions));
  const hidden = suppressGroups(groupRows.map((r) => r.n), totalRow.n, k);

  const labelOf = (dimension: Dimension, value: string) =>
    value === "" ? "unknown" : dimension === "country" || dimension === "city" ? (placeNames.get(value) ?? value) : value;
  const groupOf = (row: Keyed & { n: number }, hide: Hidden): GroupInit => {
    const keys = row.total ? [] : dimensions.map((d, i) => {
      const value = i === 0 ? row.g1 : row.g2;
      return { dimension: DIMENSION_OF[d], value, label: labelOf(d, value) };
    });
    if (hide !== "") return { keys, suppressed: reasonOf(hide) };
    const at = groupKey(row);
    return {
      keys,
      respondents: row.n,
      supply: scope.supply.map((q) => supplyOf(q.id, supplyRows.get(at)?.find((r) => r.q === q.id), row.n, k)),
      needs: scope.needs.map((q) => needOf(q, needRows.get(at)?.find((r) => r.q === q.id), choiceRows.get(at) ?? [], k)),
    };
  };

  return {
    groupBy: dimensions.map((d) => DIMENSION_OF[d]),
    minGroupSize: k,
    supplyQuestions: scope.supply,
    needQuestions: scope.needs.map((q) => ({ ...q, kind: KIND_OF[q.kind] })),
    total: groupOf(totalRow, hidden.total),
    groups: groupRows.map((row, i) => groupOf(row, hidden.groups[i]!)),
  };
}
