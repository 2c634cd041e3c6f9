// StatisticsService: thin — check the survey is the project's, count in SQL, suppress, reply (or stream CSV).
// Authorization (disco.statistics.read on the project) and input rules come from the proto.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type GetSurveyStatisticsResponse,
  GetSurveyStatisticsResponseSchema,
  type StatisticsDimension,
  type StatisticsQuery,
  type StatisticsService,
} from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, invalidArgument } from "../../../sys/core/errors.js";
import { query } from "../../../sys/core/sql.js";
import type { DiscoDeps } from "../deps.js";
import { storedAgeRange } from "../surveys/age-range.js";
import { readAggregates } from "./aggregates.js";
import { type Dimension, populationOf } from "./population.js";
import { DIMENSION_OF, buildStatistics } from "./statistics-builder.js";
import { csvChunksOf } from "./statistics-csv.js";
import { surveyScopeOf } from "./survey-scope.js";

/** One message stays well under gRPC's 4 MiB; the CSV export streams, so it may hold more. */
const MAX_GROUPS = 5_000;
const MAX_EXPORT_GROUPS = 100_000;

const DIMENSION_NAMED = new Map(Object.entries(DIMENSION_OF).map(([name, value]) => [value, name as Dimension]));
const dimensionsOf = (groupBy: StatisticsDimension[]) => groupBy.map((d) => DIMENSION_NAMED.get(d)!);

/** PostgreSQL's tz database decides the buckets, so it is the one asked whether it knows the zone. */
async function checkTimeZone(em: EntityManager, zone: string): Promise<void> {
  try {
    await query(em, `select now() at time zone ?`, [zone]);
  } catch (err) {
    // Only PostgreSQL's "time zone not recognized" is the caller's fault; anything else stays a server error.
    if (!/time zone/i.test(String((err as Error).message))) throw err;
    throw invalidArgument("query.time_zone", `unknown time zone "${zone}"`, "UNKNOWN_TIME_ZONE");
  }
}

async function placeNamesOf(deps: DiscoDeps, ids: string[], language: string): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  try {
    const places = await deps.timespace().getPlaces(ids, language || "en");
    return new Map(places.map((p) => [p.id, p.name]));
  } catch (err) {
    // Names are a courtesy: without the places service the keys still name each place by id.
    deps.logger.debug({ err }, "disco statistics: place names unavailable");
    return new Map();
  }
}

export function createStatisticsService(deps: DiscoDeps): ServiceImpl<typeof StatisticsService> {
  async function statisticsOf(projectId: string, surveyProjectId: string, q: StatisticsQuery | undefined, maxGroups: number): Promise<GetSurveyStatisticsResponse> {
    const em = deps.db.em();
    const dimensions = dimensionsOf(q?.groupBy ?? []);
    const timeZone = q?.timeZone || "UTC";
    if (q?.timeZone) await checkTimeZone(em, timeZone);
    const filter = q?.filter;
    const scope = await surveyScopeOf(em, projectId, surveyProjectId, filter?.questionIds ?? []);
    const population = populationOf(em, {
      surveyProjectId,
      dimensions,
      timeZone,
      countryId: filter?.countryId || undefined,
      placeId: filter?.placeId || undefined,
      ageRanges: (filter?.ageRanges ?? []).flatMap((a) => storedAgeRange(a) ?? []),
      submittedFrom: filter?.submittedFrom ? timestampDate(filter.submittedFrom) : undefined,
      submittedTo: filter?.submittedTo ? timestampDate(filter.submittedTo) : undefined,
    });
    const aggregates = await readAggregates(em, population, {
      supply: scope.supply.map((s) => s.id),
      needs: scope.needs.map((n) => n.id),
      choices: scope.needs.filter((n) => n.kind === "choice").map((n) => n.id),
    });
    const groups = aggregates.respondents.filter((r) => !r.total);
    if (groups.length > maxGroups) {
      throw failedPrecondition("TOO_MANY_GROUPS", `${groups.length} groups is more than ${maxGroups}: narrow the filter, group by less, or export`);
    }
    const placeIds = new Set<string>();
    for (const [i, d] of dimensions.entries()) {
      if (d === "country" || d === "city") for (const g of groups) placeIds.add(i === 0 ? g.g1 : g.g2);
    }
    placeIds.delete("");
    const placeNames = await placeNamesOf(deps, [...placeIds], q?.language ?? "");
    const built = buildStatistics({ scope, aggregates, dimensions, minGroupSize: deps.config.discoMinGroupSize, placeNames });
    return create(GetSurveyStatisticsResponseSchema, { ...built, surveyProjectId });
  }

  return {
    async getSurveyStatistics(req) {
      return statisticsOf(req.projectId, req.surveyProjectId, req.query, MAX_GROUPS);
    },
    async *exportSurveyStatistics(req) {
      const stats = await statisticsOf(req.projectId, req.surveyProjectId, req.query, MAX_EXPORT_GROUPS);
      for (const chunk of csvChunksOf(stats)) yield { chunk };
    },
  };
}
