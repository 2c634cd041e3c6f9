// How the mod tier reads reference geography and reckons with time zones, which sys's timespace module owns.
// One process: direct calls into the module. Two binaries: Connect calls to sys's PlaceService (places are
// public reference data, so no credential is needed). The time functions are the same pure library in both
// (Node's ICU tz database), so a mod process never makes a network call to convert a time.
import type { TimeFunctions } from "../../timespace/time/time-functions.js";

export type PlaceKind = "country" | "subdivision" | "city";

/**
 * A place, named in the asked language with a sensible fallback. Ids are stable across dataset reloads:
 * a country is its ISO 3166-1 alpha-2 code ("FR"), a subdivision its ISO 3166-2 code ("FR-IDF"), a city
 * "gn:" and its GeoNames id ("gn:2988507"). They match ^[A-Za-z0-9:-]{2,40}$.
 */
export interface PlaceRecord {
  id: string;
  kind: PlaceKind;
  name: string;
  /** The country's place id (its alpha-2 code); a country's is its own id. */
  countryId: string;
  countryName: string;
  /** The subdivision the place lies in, when known. */
  subdivisionId?: string;
  subdivisionName?: string;
  latitude: number;
  longitude: number;
  population?: number;
  /** IANA time zone, when known (cities always; countries only with a single zone). */
  timeZone?: string;
}

export interface PlaceDistance {
  placeId: string;
  distanceKm: number;
}

export type GeoPoint = { latitude: number; longitude: number };

export interface TimespacePort {
  /** The known ones of `ids` (unknown ids are left out), in the order asked. `language` is BCP 47 ("fr", "pt-BR"). */
  getPlaces(ids: string[], language: string): Promise<PlaceRecord[]>;
  /**
   * Those of `candidates` (place ids a module stored: members', contacts', projects' places) that lie within
   * `radiusKm` of `origin` (a place id or a point), nearest first. Unknown candidates are left out; an unknown
   * origin place is NOT_FOUND.
   */
  nearestAmong(origin: string | GeoPoint, candidates: string[], radiusKm: number): Promise<PlaceDistance[]>;
  /** Zones, local ↔ instant with explicit DST handling, RRULE expansion and quiet hours. */
  time: TimeFunctions;
}
