// PlaceService: public reads of reference geography. Input bounds are the proto's; these handlers resolve origins
// and map records. LocateAddress looks the address up in memory only: neither it nor the answer is stored or logged.
import { isIP } from "node:net";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { Origin, PlaceService } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { clientAddressKey } from "../../core/authn/principal.js";
import type { Database } from "../../core/db.js";
import { apiError, invalidArgument } from "../../core/errors.js";
import type { GeoPoint } from "../../core/ports/timespace-port.js";
import { kindsOf, toProto } from "./convert.js";
import { geodesicKm } from "./geodesic.js";
import type { GeoIp } from "./geoip.js";
import { countryNameIn } from "./languages.js";
import { nearbyPlaces, nearestAmong } from "./nearby.js";
import { canonicalPlaceId, getPlaces, pointOf } from "./place-reads.js";
import { createPlaceSearch } from "./search.js";

export const placeNotFound = (id: string) => apiError(Code.NotFound, "PLACE_NOT_FOUND", `place ${id} not found`, { resource: "place", id });

/** An origin's point; an unknown place is NOT_FOUND. */
export async function resolveOrigin(db: Database, origin: string | GeoPoint): Promise<GeoPoint> {
  if (typeof origin !== "string") return origin;
  const point = await pointOf(db, origin);
  if (!point) throw placeNotFound(origin);
  return point;
}

const originOf = (origin: Origin | undefined): string | GeoPoint =>
  origin?.origin.case === "placeId" ? origin.origin.value : { latitude: origin?.origin.value?.latitude ?? 0, longitude: origin?.origin.value?.longitude ?? 0 };

const DEFAULT_SEARCH_LIMIT = 10;
const DEFAULT_NEARBY_LIMIT = 20;

export function createPlaceHandlers(db: Database, geoip: GeoIp): ServiceImpl<typeof PlaceService> {
  const places = createPlaceSearch(db);
  return {
    async searchPlaces(req) {
      const found = await places.search(req.query, { language: req.language, kinds: kindsOf(req.kinds), countryId: req.countryId || undefined, limit: req.limit || DEFAULT_SEARCH_LIMIT });
      return { places: found.places.map(toProto), typoTolerant: found.typoTolerant };
    },

    async getPlaces(req) {
      return { places: (await getPlaces(db, req.ids, req.language)).map(toProto) };
    },

    async nearbyPlaces(req) {
      const origin = originOf(req.origin);
      const point = await resolveOrigin(db, origin);
      const found = await nearbyPlaces(db, point, {
        radiusKm: req.radiusKm,
        kinds: kindsOf(req.kinds),
        limit: req.limit || DEFAULT_NEARBY_LIMIT,
        excludeId: typeof origin === "string" ? canonicalPlaceId(origin) : undefined,
        language: req.language,
      });
      return { places: found.map((f) => ({ place: toProto(f.place), distanceKm: f.distanceKm })) };
    },

    async measureDistance(req) {
      const [from, to] = await Promise.all([resolveOrigin(db, originOf(req.from)), resolveOrigin(db, originOf(req.to))]);
      return { distanceKm: geodesicKm(from, to) };
    },

    async nearestAmong(req) {
      const point = await resolveOrigin(db, originOf(req.origin));
      return { places: await nearestAmong(db, point, req.candidateIds, req.radiusKm) };
    },

    async locateAddress(req, hc) {
      const ip = req.ip || hc.values.get(clientAddressKey);
      if (req.ip && isIP(req.ip) === 0) throw invalidArgument("ip", "ip must be an IPv4 or IPv6 address", "INVALID_IP_ADDRESS");
      const answer = ip ? await geoip.locate(ip) : undefined;
      if (!answer) return { found: false };
      const ids = [answer.countryId, ...(answer.cityGeonameId ? [`gn:${answer.cityGeonameId}`] : [])];
      const known = await getPlaces(db, ids, req.language);
      const country = known.find((p) => p.kind === "country");
      const city = known.find((p) => p.kind === "city");
      // The dataset not loaded (yet): the country code still answers, named by CLDR.
      const named = countryNameIn(answer.countryId, req.language) ?? answer.countryId;
      const fallback = { id: answer.countryId, kind: "country" as const, name: named, countryId: answer.countryId, countryName: named, latitude: 0, longitude: 0 };
      return { found: true, country: toProto(country ?? fallback), ...(city ? { city: toProto(city) } : {}) };
    },
  };
}
