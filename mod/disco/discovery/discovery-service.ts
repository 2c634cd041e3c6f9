// DiscoveryService.Search: public, so it reads only what admins published (search-query.ts). Near a place, the
// matches that have a place go to timespace's nearestAmong, which keeps those within the radius and measures
// them; the page is then cut from that distance order.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type DiscoveryService, ResultKind, type SearchRequest, type SearchResult, SearchResultSchema,
} from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { pageSizeOf } from "../../../sys/core/pagination.js";
import type { GeoPoint } from "../../../sys/core/ports/timespace-port.js";
import type { DiscoDeps } from "../deps.js";
import { namePlaces, searchPlaceOf } from "./place-names.js";
import { decodeSearchCursor, encodeSearchCursor, isAfter, type SearchCursor } from "./search-cursor.js";
import { campaignsTableOf, type Found, findPublished, type SearchFilters, type SearchSources } from "./search-query.js";
import { trgmSchemaOf } from "./text-match.js";

const ALL_KINDS = [ResultKind.ORG, ResultKind.PROJECT, ResultKind.CAMPAIGN];

type Ranked = Found & { distanceKm?: number };

export function createDiscoveryService(deps: DiscoDeps): ServiceImpl<typeof DiscoveryService> {
  // Extensions are installed by migrations, before anything is served: once known, pg_trgm's presence holds.
  let trgm: Promise<string | undefined> | undefined;
  let campaignsTable: string | undefined;
  const sourcesOf = async (em: EntityManager): Promise<SearchSources> => {
    trgm ??= trgmSchemaOf(em).catch((error) => {
      trgm = undefined;
      throw error;
    });
    // Until the campaigns area's migration ran there is no campaign to find; asked again until it has.
    campaignsTable ??= await campaignsTableOf(em);
    return { trgmSchema: await trgm, campaignsTable };
  };

  async function nearest(req: SearchRequest, em: EntityManager, filters: SearchFilters, sources: SearchSources): Promise<Ranked[]> {
    const near = req.near!;
    const origin: string | GeoPoint = near.origin.case === "placeId" ? near.origin.value : { latitude: near.origin.value!.latitude, longitude: near.origin.value!.longitude };
    const placed = await findPublished(em, { ...filters, placedOnly: true }, sources);
    const candidates = [...new Set(placed.map((f) => f.placeId!))];
    const distances = new Map((await deps.timespace().nearestAmong(origin, candidates, near.radiusKm)).map((d) => [d.placeId, d.distanceKm]));
    return placed
      .filter((f) => distances.has(f.placeId!))
      .map((f) => ({ ...f, distanceKm: distances.get(f.placeId!)!, rank: distances.get(f.placeId!)! }))
      .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  return {
    async search(req) {
      const size = pageSizeOf(req.pageSize);
      const after = decodeSearchCursor(req.pageToken);
      const filters: SearchFilters = {
        text: req.query.trim(),
        category: req.category,
        kinds: new Set(req.kinds.length ? req.kinds : ALL_KINDS),
        placedOnly: false,
      };
      const em = deps.db.em();
      const sources = await sourcesOf(em);
      const rows: Ranked[] = req.near
        ? (await nearest(req, em, filters, sources)).filter((r) => isAfter(r, after)).slice(0, size + 1)
        : await findPublished(em, filters, sources, { after, limit: size + 1 });
      const page = rows.slice(0, size);
      const last: SearchCursor | undefined = rows.length > size ? page[page.length - 1] : undefined;
      const named = await namePlaces(deps, page.flatMap((r) => (r.placeId ? [r.placeId] : [])), req.language);
      return {
        results: page.map((r) => toResult(r, named)),
        nextPageToken: last ? encodeSearchCursor({ rank: last.rank, id: last.id }) : "",
      };
    },
  };
}

function toResult(r: Ranked, named: Awaited<ReturnType<typeof namePlaces>>): SearchResult {
  return create(SearchResultSchema, {
    kind: r.kind,
    id: r.id,
    orgId: r.orgId,
    projectId: r.projectId ?? "",
    title: r.title,
    summary: r.summary,
    category: r.category ?? "",
    place: searchPlaceOf(r.placeId, r.countryId, named),
    distanceKm: r.distanceKm,
    url: r.url,
    publishedAt: timestampFromDate(r.publishedAt),
  });
}
