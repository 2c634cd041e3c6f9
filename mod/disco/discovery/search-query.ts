// The published things a search may return, read in one SQL statement: org and project listings, and campaigns
// that left draft and were not deleted (their table belongs to the campaigns area; it is read here by the
// columns the disco contract fixes). Without a place to be near, the database orders and pages (newest first);
// with one, every placed match is returned and the caller orders by distance.
import { ResultKind } from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { dateOf, query, tableOf } from "../../../sys/core/sql.js";
import { Listing } from "../listings/entities.js";
import type { SearchCursor } from "./search-cursor.js";
import { wordsFilter } from "./text-match.js";

export interface Found {
  kind: ResultKind;
  id: string;
  orgId: string;
  projectId: string | null;
  title: string;
  summary: string;
  category: string | null;
  placeId: string | null;
  countryId: string | null;
  url: string;
  publishedAt: Date;
  /** Newest first: minus the publication time in ms. */
  rank: number;
}

export interface SearchFilters {
  text: string;
  category: string;
  kinds: ReadonlySet<ResultKind>;
  /** Only results that have a place (a search near somewhere). */
  placedOnly: boolean;
}

export interface SearchSources {
  /** pg_trgm's schema when installed. */
  trgmSchema: string | undefined;
  /** The campaigns table, qualified, when it exists. */
  campaignsTable: string | undefined;
}

export const CAMPAIGNS_TABLE = "disco_campaigns";

export async function campaignsTableOf(em: EntityManager): Promise<string | undefined> {
  const schema = em.config.get("schema");
  const name = schema ? `"${schema}"."${CAMPAIGNS_TABLE}"` : `"${CAMPAIGNS_TABLE}"`;
  const [row] = await query<{ found: boolean }>(em, `select to_regclass(?) is not null as found`, [name]);
  return row?.found ? name : undefined;
}

const RANK = (column: string) => `(-(extract(epoch from ${column}) * 1000))::float8`;

interface Branch {
  sql: string;
  params: unknown[];
}

function branch(select: string, table: string, conditions: string[], params: unknown[], filters: SearchFilters, haystack: string, sources: SearchSources): Branch {
  const all = [...conditions];
  const allParams = [...params];
  if (filters.category) {
    all.push(`category = ?`);
    allParams.push(filters.category);
  }
  if (filters.placedOnly) all.push(`place_id is not null`);
  const words = wordsFilter(filters.text, haystack, sources.trgmSchema);
  if (words) {
    all.push(words.sql);
    allParams.push(...words.params);
  }
  return { sql: `select ${select} from ${table}${all.length ? ` where ${all.join(" and ")}` : ""}`, params: allParams };
}

function listingBranch(em: EntityManager, filters: SearchFilters, sources: SearchSources): Branch | undefined {
  const orgs = filters.kinds.has(ResultKind.ORG);
  const projects = filters.kinds.has(ResultKind.PROJECT);
  if (!orgs && !projects) return undefined;
  const conditions = orgs && projects ? [] : [orgs ? `project_id is null` : `project_id is not null`];
  const select = `case when project_id is null then ${ResultKind.ORG} else ${ResultKind.PROJECT} end as kind, id, org_id as "orgId",
    project_id as "projectId", title, summary, category, place_id as "placeId", country_id as "countryId", url,
    created_at as "publishedAt", ${RANK("created_at")} as rank`;
  // Words also find a listing by its category and tags ("bike repair" finds the bike workshop filed under repair).
  return branch(select, tableOf(em, Listing), conditions, [], filters, `title || ' ' || summary || ' ' || coalesce(category, '') || ' ' || array_to_string(tags, ' ')`, sources);
}

function campaignBranch(filters: SearchFilters, sources: SearchSources): Branch | undefined {
  if (!filters.kinds.has(ResultKind.CAMPAIGN) || !sources.campaignsTable) return undefined;
  // Named as the listing branch's columns: when campaigns are the only kind asked, this branch names the union's.
  const select = `${ResultKind.CAMPAIGN} as kind, id, org_id as "orgId", project_id as "projectId", title, coalesce(goal, '') as summary,
    category, place_id as "placeId", country_id as "countryId", '' as url, created_at as "publishedAt", ${RANK("created_at")} as rank`;
  return branch(select, sources.campaignsTable, [`deleted_at is null`, `status <> 'draft'`], [], filters, `title || ' ' || coalesce(goal, '') || ' ' || coalesce(category, '')`, sources);
}

/** Matches in (rank, id) order after `after`, at most `limit` (all when undefined). */
export async function findPublished(
  em: EntityManager,
  filters: SearchFilters,
  sources: SearchSources,
  page: { after?: SearchCursor; limit?: number } = {},
): Promise<Found[]> {
  const branches = [listingBranch(em, filters, sources), campaignBranch(filters, sources)].filter((b): b is Branch => b !== undefined);
  if (branches.length === 0) return [];
  const params = branches.flatMap((b) => b.params);
  let sql = `select * from (${branches.map((b) => b.sql).join(" union all ")}) found`;
  if (page.after) {
    sql += ` where (rank > ? or (rank = ? and id > ?::uuid))`;
    params.push(page.after.rank, page.after.rank, page.after.id);
  }
  sql += ` order by rank, id`;
  if (page.limit !== undefined) {
    sql += ` limit ?`;
    params.push(page.limit);
  }
  const rows = await query<Found & { publishedAt: Date | string; rank: number | string }>(em, sql, params);
  return rows.map((r) => ({ ...r, kind: Number(r.kind) as ResultKind, rank: Number(r.rank), publishedAt: dateOf(r.publishedAt) }));
}
