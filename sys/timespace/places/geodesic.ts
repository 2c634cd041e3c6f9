// Distances on the WGS84 ellipsoid (Karney's geodesics, GeographicLib): exact to the nanometre, where the spherical
// haversine used to pre-filter in SQL errs by up to 0.5 %.
import { createRequire } from "node:module";
import type { GeoPoint } from "../../core/ports/timespace-port.js";

// A CommonJS bundle whose named exports Node's ESM loader cannot detect: required, typed by its declarations.
const { Geodesic } = createRequire(import.meta.url)("geographiclib-geodesic") as typeof import("geographiclib-geodesic");
const WGS84 = Geodesic.WGS84;

export function geodesicKm(from: GeoPoint, to: GeoPoint): number {
  return WGS84.Inverse(from.latitude, from.longitude, to.latitude, to.longitude).s12! / 1000;
}

/** Mean Earth radius (IUGG), for the spherical pre-filter only. */
export const EARTH_RADIUS_KM = 6371.0088;
/**
 * How much wider than asked the spherical pre-filter looks, so no place the ellipsoid puts inside the radius is
 * cut: the sphere's error stays under 0.6 % of the distance.
 */
export const SPHERE_SLACK = 1.006;
