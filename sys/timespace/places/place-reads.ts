// Reading places by id, named in the asked language: the exact tag, its base language, English, then the local
// name; countries by CLDR (any language the runtime knows), falling back the same way.
import type { Database, EntityManager } from "../../core/db.js";
import { query, tableOf } from "../../core/sql.js";
import type { GeoPoint, PlaceKind, PlaceRecord } from "../../core/ports/timespace-port.js";
import { Place, PlaceNameEntity } from "./entities.js";
import { countryNameIn, languageChain } from "./languages.js";

export interface PlaceRowRaw {
  id: string;
  kind: PlaceKind;
  country_id: string;
  subdivision_id: string | null;
  latitude: number;
  longitude: number;
  population: number | null;
  time_zone: string | null;
  local_name: string;
}

export const PLACE_COLUMNS = "p.id, p.kind, p.country_id, p.subdivision_id, p.latitude, p.longitude, p.population, p.time_zone, p.local_name";

/** The stored spelling of a place id: "fr-idf" is "FR-IDF", "GN:2988507" is "gn:2988507". */
export function canonicalPlaceId(id: string): string {
  return /^gn:/i.test(id) ? `gn:${id.slice(3)}` : id.toUpperCase();
}

/** `ids` as one jsonb parameter: a list of any length is one bound value. */
export const idList = (ids: string[]) => JSON.stringify(ids);
export const ID_IN_LIST = "any(array(select jsonb_array_elements_text(?::jsonb)))";

export async function rowsByIds(em: EntityManager, ids: string[]): Promise<PlaceRowRaw[]> {
  if (ids.length === 0) return [];
  return query<PlaceRowRaw>(em, `select ${PLACE_COLUMNS} from ${tableOf(em, Place)} p where p.id = ${ID_IN_LIST}`, [idList(ids)]);
}

/** Names of places (and of their subdivisions) in the asked language, with the fallback chain. */
async function namerFor(em: EntityManager, rows: PlaceRowRaw[], language: string): Promise<(id: string, kind: PlaceKind) => string | undefined> {
  const chain = languageChain(language);
  const ids = [...new Set(rows.flatMap((r) => (r.subdivision_id ? [r.id, r.subdivision_id] : [r.id])))];
  const found = ids.length
    ? await query<{ id: string; local_name: string; language: string | null; name: string | null }>(
        em,
        `select p.id, p.local_name, n.language, n.name from ${tableOf(em, Place)} p
         left join ${tableOf(em, PlaceNameEntity)} n on n.place_id = p.id and n.language = any(array(select jsonb_array_elements_text(?::jsonb)))
         where p.id = ${ID_IN_LIST}`,
        [JSON.stringify(chain), idList(ids)],
      )
    : [];
  const byId = new Map<string, { local: string; names: Map<string, string> }>();
  for (const r of found) {
    let entry = byId.get(r.id);
    if (!entry) byId.set(r.id, (entry = { local: r.local_name, names: new Map() }));
    // Several names in one language (rare): the alphabetically first, so the answer is stable.
    if (r.language !== null && r.name !== null && (!entry.names.has(r.language) || r.name < entry.names.get(r.language)!)) entry.names.set(r.language, r.name);
  }
  return (id, kind) => {
    if (kind === "country") {
      const cldr = countryNameIn(id, language);
      if (cldr) return cldr;
    }
    const entry = byId.get(id);
    if (!entry) return undefined;
    for (const tag of chain) {
      const name = entry.names.get(tag);
      if (name) return name;
    }
    return entry.local;
  };
}

/** Rows as port records, named in `language`. */
export async function describe(em: EntityManager, rows: PlaceRowRaw[], language: string): Promise<PlaceRecord[]> {
  const nameOf = await namerFor(em, rows, language);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: nameOf(r.id, r.kind) ?? r.local_name,
    countryId: r.country_id,
    countryName: countryNameIn(r.country_id, language) ?? r.country_id,
    ...(r.subdivision_id ? { subdivisionId: r.subdivision_id, subdivisionName: nameOf(r.subdivision_id, "subdivision") ?? r.subdivision_id } : {}),
    latitude: Number(r.latitude),
    longitude: Number(r.longitude),
    ...(r.population ? { population: Number(r.population) } : {}),
    ...(r.time_zone ? { timeZone: r.time_zone } : {}),
  }));
}

/** The known ones of `ids`, in the order asked (each once). */
export async function getPlaces(db: Database, ids: string[], language: string): Promise<PlaceRecord[]> {
  const em = db.em();
  const unique = [...new Set(ids.map(canonicalPlaceId))];
  const records = await describe(em, await rowsByIds(em, unique), language);
  const byId = new Map(records.map((r) => [r.id, r]));
  return unique.flatMap((id) => byId.get(id) ?? []);
}

/** A place's point, or undefined when the id is unknown. */
export async function pointOf(db: Database, placeId: string): Promise<GeoPoint | undefined> {
  const [row] = await rowsByIds(db.em(), [canonicalPlaceId(placeId)]);
  return row ? { latitude: Number(row.latitude), longitude: Number(row.longitude) } : undefined;
}
