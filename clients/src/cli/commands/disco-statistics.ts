// polity disco stats SURVEY --project P [--group-by country,age-range] [filters] [--csv]: what a survey's
// respondents pledge and need, per place, age range or time; small groups come back suppressed ("–").
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient, type Client } from "@connectrpc/connect";
import { type Command, InvalidArgumentError } from "commander";
import {
  GetSurveyStatisticsResponseSchema,
  type GetSurveyStatisticsResponse,
  type StatisticsCell,
  StatisticsDimension,
  type StatisticsGroup,
  StatisticsService,
} from "../../gen/polity/mod/disco/v1/statistics_pb.js";
import { AgeRange, NeedKind, SurveyService } from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import type { Io } from "../io.js";
import { printTable } from "../output.js";
import { isUuid, listAll, pick, resolveProject } from "../resolve.js";
import { action, type Session } from "../session.js";

const DIMENSIONS: Record<string, StatisticsDimension> = {
  country: StatisticsDimension.COUNTRY,
  city: StatisticsDimension.CITY,
  "age-range": StatisticsDimension.AGE_RANGE,
  day: StatisticsDimension.DAY,
  week: StatisticsDimension.WEEK,
  month: StatisticsDimension.MONTH,
};
const AGE_RANGES: Record<string, AgeRange> = {
  under18: AgeRange.AGE_RANGE_UNDER_18,
  "18-24": AgeRange.AGE_RANGE_18_24,
  "25-34": AgeRange.AGE_RANGE_25_34,
  "35-44": AgeRange.AGE_RANGE_35_44,
  "45-54": AgeRange.AGE_RANGE_45_54,
  "55-64": AgeRange.AGE_RANGE_55_64,
  "65plus": AgeRange.AGE_RANGE_65_PLUS,
};

/** A comma-separated list of names of `table`, accumulated over repeated flags. */
function namesOf<T>(table: Record<string, T>, what: string) {
  return (value: string, previous: T[] = []): T[] => [...previous, ...value.split(",").map((n) => n.trim()).filter(Boolean).map((n) => {
    const found = table[n.toLowerCase()];
    if (found === undefined) throw new InvalidArgumentError(`"${n}" is not ${what}; use ${Object.keys(table).join(", ")}`);
    return found;
  })];
}

function instantOf(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`"${value}" is not a date or instant (2026-03-01 or 2026-03-01T12:00:00Z)`);
  return date;
}

const statistics = new WeakMap<Session, Client<typeof StatisticsService>>();
function client(s: Session): Client<typeof StatisticsService> {
  let c = statistics.get(s);
  if (!c) statistics.set(s, (c = createClient(StatisticsService, s.client.transport)));
  return c;
}

async function resolveSurvey(s: Session, projectId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const surveys = await listAll(async (pageToken) => {
    const res = await createClient(SurveyService, s.client.transport).listSurveys({ projectId, pageSize: 200, pageToken });
    return { items: res.surveys, next: res.nextPageToken };
  });
  return pick("survey", ref, surveys.map((v) => ({ id: v.id, names: [v.title], label: v.title })), "polity disco surveys list", "a title or an id");
}

const cellText = (cell: StatisticsCell | undefined) => (cell?.suppressed ? "–" : String(cell?.count ?? 0));
const amountText = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function needText(stats: GetSurveyStatisticsResponse, group: StatisticsGroup): string[] {
  return group.needs.map((n, i) => {
    const d = n.distribution;
    const answered = cellText(n.answered);
    if (n.answered?.suppressed) return answered;
    if (d.case === "boolean") return `${answered}: yes ${cellText(d.value.yes)}, no ${cellText(d.value.no)}`;
    if (d.case === "choice") return `${answered}: ${d.value.options.map((o) => `${o.option} ${cellText(o.count)}`).join(", ")}`;
    if (d.case === "number") return `${answered}: avg ${amountText(d.value.average)}`;
    return `${answered} (${stats.needQuestions[i]?.kind === NeedKind.TEXT ? "text" : "answers"})`;
  });
}

function printStatistics(io: Io, stats: GetSurveyStatisticsResponse): void {
  const groupName = (g: StatisticsGroup) => (g.keys.length ? g.keys.map((k) => k.label || k.value || "unknown").join(" / ") : "total");
  const rows = [...(stats.total ? [stats.total] : []), ...stats.groups].map((g) => {
    if (g.suppressed) return [groupName(g), "–", ...stats.supplyQuestions.map(() => "–"), ...stats.needQuestions.map(() => "–")];
    const supply = g.supply.map((p) => (p.pledgers?.suppressed ? "–" : `${p.pledgers?.count ?? 0} · ${amountText(p.totalAmount)}`));
    return [groupName(g), String(g.respondents), ...supply, ...needText(stats, g)];
  });
  const head = [
    "GROUP", "PEOPLE",
    ...stats.supplyQuestions.map((q) => `${q.name} (people · ${q.unit})`),
    ...stats.needQuestions.map((q) => q.prompt),
  ];
  printTable(io, head, rows);
  io.stdout(`– suppressed: fewer than ${stats.minGroupSize} people, or hidden so it cannot be worked out from the rest\n`);
}

type StatsFlags = {
  project: string; org?: string; groupBy?: StatisticsDimension[]; country?: string; place?: string; age?: AgeRange[];
  from?: Date; to?: Date; zone?: string; question?: string[]; language?: string; csv?: boolean;
};

export function registerStatistics(disco: Command, io: Io): void {
  disco.command("stats <survey>")
    .description("a survey's statistics: people, pledges and answers per group (small groups suppressed); --csv streams CSV")
    .requiredOption("--project <project>", "the survey's project (id, or slug with --org)")
    .option("--org <org>", "the project's org (slug or id), to name the project by slug")
    .option("--group-by <dimensions>", `one or two of ${Object.keys(DIMENSIONS).join(", ")} (comma-separated)`, namesOf(DIMENSIONS, "a dimension"))
    .option("--country <code>", "only answers from this country (FR)")
    .option("--place <id>", "only answers from this place (gn:2988507)")
    .option("--age <ranges>", `only these age ranges: ${Object.keys(AGE_RANGES).join(", ")}`, namesOf(AGE_RANGES, "an age range"))
    .option("--from <when>", "only answers submitted at or after this date or instant", instantOf)
    .option("--to <when>", "only answers submitted before this date or instant", instantOf)
    .option("--zone <iana>", "time zone of day, week and month groups (default UTC)")
    .option("--question <id>", "only this question (repeat)", (v: string, p: string[] = []) => [...p, v])
    .option("--language <tag>", "language of place names (BCP 47)")
    .option("--csv", "write CSV to stdout (streamed), one row per number")
    .action(action(io, async (s, surveyRef: string, o: StatsFlags) => {
      const projectId = await resolveProject(s, o.org, o.project);
      const surveyProjectId = await resolveSurvey(s, projectId, surveyRef);
      const query = {
        groupBy: o.groupBy ?? [],
        timeZone: o.zone ?? "",
        language: o.language ?? "",
        filter: {
          countryId: o.country?.toUpperCase() ?? "", placeId: o.place ?? "", ageRanges: o.age ?? [], questionIds: o.question ?? [],
          submittedFrom: o.from ? timestampFromDate(o.from) : undefined, submittedTo: o.to ? timestampFromDate(o.to) : undefined,
        },
      };
      if (o.csv) {
        const decoder = new TextDecoder();
        for await (const { chunk } of client(s).exportSurveyStatistics({ projectId, surveyProjectId, query })) s.io.stdout(decoder.decode(chunk, { stream: true }));
        s.io.stdout(decoder.decode());
        return;
      }
      const stats = await client(s).getSurveyStatistics({ projectId, surveyProjectId, query });
      s.emit(GetSurveyStatisticsResponseSchema, stats, () => printStatistics(s.io, stats));
    }));
}
