// Loading the packaged dataset into the sys schema: idempotent upserts in batches, each batch its own short
// transaction (on PGlite one long transaction would hold the only connection and stall every sys call), a country
// marked loaded once all of its batches are in. An interrupted load resumes at the first country not marked;
// a full load also writes the COMPLETE marker so later starts need not read the dataset at all.
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger } from "pino";
import type { Database, EntityManager } from "../../core/db.js";
import { query, tableOf } from "../../core/sql.js";
import { readPlaces, type PlaceRow } from "./dataset.js";
import { Place, PlaceLoad, PlaceNameEntity } from "./entities.js";

/** The load-progress row that says every country is in. */
const COMPLETE = "*";
const BATCH = 400;

export interface LoadOptions {
  /** Only these countries (alpha-2); all when absent. */
  countries?: string[];
  /** Leave out countries already marked loaded (resuming); a forced reload rewrites them. */
  resume?: boolean;
  logger?: Logger;
  /** Checked between batches: a stopping server abandons the load (the next start resumes it). */
  stopped?: () => boolean;
}

export interface LoadResult {
  countries: number;
  places: number;
  complete: boolean;
}

async function writeBatch(tx: EntityManager, places: PlaceRow[]): Promise<void> {
  const table = tableOf(tx, Place);
  const names = tableOf(tx, PlaceNameEntity);
  const rows = places.map((p) => ({
    id: p.id, kind: p.kind, country_id: p.countryId, subdivision_id: p.subdivisionId, latitude: p.latitude, longitude: p.longitude,
    population: p.population, time_zone: p.timeZone, local_name: p.localName.slice(0, 200),
  }));
  await query(tx, `insert into ${table} (id, kind, country_id, subdivision_id, latitude, longitude, population, time_zone, local_name)
    select r.id, r.kind, r.country_id, r.subdivision_id, r.latitude, r.longitude, r.population, r.time_zone, r.local_name
    from jsonb_to_recordset(?::jsonb) as r(id text, kind text, country_id text, subdivision_id text, latitude float8, longitude float8, population int, time_zone text, local_name text)
    on conflict (id) do update set kind = excluded.kind, country_id = excluded.country_id, subdivision_id = excluded.subdivision_id,
      latitude = excluded.latitude, longitude = excluded.longitude, population = excluded.population, time_zone = excluded.time_zone,
      local_name = excluded.local_name`, [JSON.stringify(rows)]);
  // A place's names are replaced as a whole, so a reload of a newer dataset drops the names it no longer has.
  await query(tx, `delete from ${names} where place_id in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(places.map((p) => p.id))]);
  const nameRows = places.flatMap((p) => p.names.map((n) => ({ place_id: p.id, language: n.language, normalized: n.normalized, name: n.name })));
  await query(tx, `insert into ${names} (place_id, language, normalized, name)
    select r.place_id, r.language, r.normalized, r.name from jsonb_to_recordset(?::jsonb) as r(place_id text, language text, normalized text, name text)
    on conflict do nothing`, [JSON.stringify(nameRows)]);
}

async function loadedCountries(db: Database): Promise<Set<string>> {
  const em = db.em();
  const rows = await query<{ country_id: string }>(em, `select country_id from ${tableOf(em, PlaceLoad)}`);
  return new Set(rows.map((r) => r.country_id));
}

async function markLoaded(db: Database, countryId: string, places: number): Promise<void> {
  const em = db.em();
  await query(em, `insert into ${tableOf(em, PlaceLoad)} (country_id, places, loaded_at) values (?, ?, now())
    on conflict (country_id) do update set places = excluded.places, loaded_at = excluded.loaded_at`, [countryId, places]);
}

/** Loads the packaged places (or only some countries' places) into the sys database; safe to run again. */
export async function loadPlaces(db: Database, options: LoadOptions = {}): Promise<LoadResult> {
  const wanted = options.countries ? new Set(options.countries.map((c) => c.toUpperCase())) : undefined;
  const done = options.resume ? await loadedCountries(db) : new Set<string>();
  const result: LoadResult = { countries: 0, places: 0, complete: false };
  for await (const { countryId, places } of readPlaces(wanted)) {
    if (done.has(countryId)) continue;
    for (let i = 0; i < places.length; i += BATCH) {
      if (options.stopped?.()) return result;
      await db.em().transactional((tx) => writeBatch(tx as never, places.slice(i, i + BATCH)));
      // Lets the requests waiting behind the load be served between batches.
      await nextTurn();
    }
    await markLoaded(db, countryId, places.length);
    result.countries += 1;
    result.places += places.length;
    if (result.countries % 20 === 0) options.logger?.info({ countries: result.countries, places: result.places, last: countryId }, "places loading");
  }
  if (!wanted) {
    await markLoaded(db, COMPLETE, result.places);
    result.complete = true;
  }
  return result;
}

/** Whether a full load has finished in this database. */
export async function placesComplete(db: Database): Promise<boolean> {
  return (await loadedCountries(db)).has(COMPLETE);
}

/** Starts the background load when the dataset is missing or half-loaded; never awaited by start-up. */
export function startBackgroundLoad(db: Database, logger: Logger): { stop(): Promise<void> } {
  let stopped = false;
  const running = (async () => {
    await nextTurn();
    if (stopped || (await placesComplete(db))) return;
    logger.info("loading the packaged places dataset in the background");
    const started = Date.now();
    const result = await loadPlaces(db, { resume: true, logger, stopped: () => stopped });
    if (result.complete) logger.info({ ...result, ms: Date.now() - started }, "places dataset loaded");
  })().catch((error: unknown) => {
    if (!stopped) logger.error({ err: error }, "loading the places dataset failed; the next start resumes it");
  });
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

// A host's sys database, for `loadTestPlaces` and tools that load places into a running host's own database.
const hostDatabases = new WeakMap<object, Database>();
export const registerPlacesDatabase = (host: object, db: Database) => void hostDatabases.set(host, db);
export const placesDatabaseOf = (host: object): Database | undefined => hostDatabases.get(host);

/** `polityd timespace load`: the whole dataset (or some countries) into the configured sys database, then exit. */
export async function loadPlacesCommand(db: Database, logger: Logger, countries?: string[]): Promise<LoadResult> {
  const started = Date.now();
  const result = await loadPlaces(db, { countries, logger });
  logger.info({ ...result, ms: Date.now() - started }, "places loaded");
  return result;
}
