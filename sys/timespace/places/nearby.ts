// Places near a point. The index is a btree on (latitude, longitude): the query reads the latitude band of the
// radius and keeps the longitudes of the box in it (two boxes across the antimeridian), orders by the spherical
// distance, and the ellipsoidal (geodesic) distance decides what is inside and the final order. A plain btree works
// on every PostgreSQL and on PGlite without extensions, and it meets the latency goal on both (bench/timespace-nearby.ts,
// bench/README.md), so cube/earthdistance and geohash columns were not needed.
import type { Database } from "../../core/db.js";
import { query, tableOf } from "../../core/sql.js";
import type { GeoPoint, PlaceDistance, PlaceKind, PlaceRecord } from "../../core/ports/timespace-port.js";
import { Place } from "./entities.js";
import { EARTH_RADIUS_KM, geodesicKm, SPHERE_SLACK } from "./geodesic.js";
import { canonicalPlaceId, describe, ID_IN_LIST, idList, PLACE_COLUMNS, type PlaceRowRaw } from "./place-reads.js";

const DEGREE_KM = (EARTH_RADIUS_KM * Math.PI) / 180;

// PostgreSQL refuses subnormal doubles ("out of range for type double precision"); far below a millimetre anyway.
const storable = (value: number) => (Math.abs(value) < 1e-300 ? 0 : value);

/** The SQL condition of the bounding box around `origin` that holds every point within `radiusKm`. */
function boxOf(origin: GeoPoint, radiusKm: number): { sql: string; params: number[] } {
  const dLat = (radiusKm * SPHERE_SLACK) / DEGREE_KM;
  const south = origin.latitude - dLat;
  const north = origin.latitude + dLat;
  const params: number[] = [south, north];
  // Near a pole the box spans every longitude.
  const widest = Math.max(Math.abs(south), Math.abs(north));
  if (widest >= 89.9) return { sql: "p.latitude between ? and ?", params };
  const dLon = dLat / Math.cos((widest * Math.PI) / 180);
  if (dLon >= 180) return { sql: "p.latitude between ? and ?", params };
  const west = origin.longitude - dLon;
  const east = origin.longitude + dLon;
  if (west < -180) return { sql: "p.latitude between ? and ? and (p.longitude >= ? or p.longitude <= ?)", params: [...params, west + 360, east] };
  if (east > 180) return { sql: "p.latitude between ? and ? and (p.longitude >= ? or p.longitude <= ?)", params: [...params, west, east - 360] };
  return { sql: "p.latitude between ? and ? and p.longitude between ? and ?", params: [...params, west, east] };
}

const HAVERSINE = `2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(p.latitude - ?) / 2), 2) + cos(radians(?)) * cos(radians(p.latitude)) * power(sin(radians(p.longitude - ?) / 2), 2))))`;

export interface NearbyOptions {
  radiusKm: number;
  kinds: PlaceKind[];
  limit: number;
  /** Left out of the answer (the origin place itself). */
  excludeId?: string;
  language: string;
}

export async function nearbyPlaces(db: Database, origin: GeoPoint, options: NearbyOptions): Promise<Array<{ place: PlaceRecord; distanceKm: number }>> {
  const em = db.em();
  const box = boxOf(origin, options.radiusKm);
  const kinds = options.kinds.length ? ` and p.kind in (${options.kinds.map(() => "?").join(", ")})` : "";
  const exclude = options.excludeId ? " and p.id <> ?" : "";
  // The spherical order may differ from the ellipsoid's by 0.5 %: a margin of extra rows keeps the limit exact.
  const rows = await query<PlaceRowRaw & { sphere_km: number }>(
    em,
    `select * from (select ${PLACE_COLUMNS}, ${HAVERSINE} as sphere_km from ${tableOf(em, Place)} p where ${box.sql}${kinds}${exclude}) p
     where p.sphere_km <= ? order by p.sphere_km, p.id limit ?`,
    [
      ...[origin.latitude, origin.latitude, origin.longitude, ...box.params].map(storable),
      ...options.kinds, ...(options.excludeId ? [options.excludeId] : []), storable(options.radiusKm * SPHERE_SLACK), options.limit * 2 + 20,
    ],
  );
  const measured = rows
    .map((row) => ({ row, distanceKm: geodesicKm(origin, { latitude: Number(row.latitude), longitude: Number(row.longitude) }) }))
    .filter((m) => m.distanceKm <= options.radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.row.id.localeCompare(b.row.id))
    .slice(0, options.limit);
  const records = await describe(em, measured.map((m) => m.row), options.language);
  return records.map((place, i) => ({ place, distanceKm: measured[i]!.distanceKm }));
}

/** Those of `candidates` within `radiusKm` of `origin`, nearest first; unknown candidates are left out. */
export async function nearestAmong(db: Database, origin: GeoPoint, candidates: string[], radiusKm: number): Promise<PlaceDistance[]> {
  const ids = [...new Set(candidates.map(canonicalPlaceId))];
  if (ids.length === 0) return [];
  const em = db.em();
  const rows = await query<{ id: string; latitude: number; longitude: number }>(em, `select p.id, p.latitude, p.longitude from ${tableOf(em, Place)} p where p.id = ${ID_IN_LIST}`, [idList(ids)]);
  return rows
    .map((r) => ({ placeId: r.id, distanceKm: geodesicKm(origin, { latitude: Number(r.latitude), longitude: Number(r.longitude) }) }))
    .filter((d) => d.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.placeId.localeCompare(b.placeId));
}
