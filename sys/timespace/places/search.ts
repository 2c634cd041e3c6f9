// Search by name in any language: names whose normalized form is the query or starts with it, then (with pg_trgm)
// names similar to it, so "zurch" finds Zürich. Order: exact, prefix, similar; then similarity; then size
// (countries before subdivisions before cities of the same rank, cities by population).
import type { Database, EntityManager } from "../../core/db.js";
import { escapeLike, query, tableOf } from "../../core/sql.js";
import type { PlaceKind, PlaceRecord } from "../../core/ports/timespace-port.js";
import { Place, PlaceNameEntity } from "./entities.js";
import { normalizeName } from "./normalize.js";
import { describe, PLACE_COLUMNS, type PlaceRowRaw } from "./place-reads.js";

export interface SearchOptions {
  language: string;
  kinds: PlaceKind[];
  countryId?: string;
  limit: number;
}

// Shorter queries have too few trigrams to be similar to anything meaningfully.
const MIN_FUZZY_LENGTH = 3;

/** The schema pg_trgm was installed in (another tier's, maybe), or undefined without it; asked once per database. */
function createTrgmLookup(): (em: EntityManager) => Promise<string | undefined> {
  let known: Promise<string | undefined> | undefined;
  return (em) =>
    (known ??= query<{ schema: string }>(em, `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`).then(
      (rows) => rows[0]?.schema,
    ));
}

export interface PlaceSearch {
  search(text: string, options: SearchOptions): Promise<{ places: PlaceRecord[]; typoTolerant: boolean }>;
}

export function createPlaceSearch(db: Database): PlaceSearch {
  const trgmSchema = createTrgmLookup();
  return {
    async search(text, options) {
      const em = db.em();
      const normalized = normalizeName(text);
      const trgm = await trgmSchema(em);
      if (!normalized) return { places: [], typoTolerant: Boolean(trgm) };
      const fuzzy = trgm && normalized.length >= MIN_FUZZY_LENGTH;
      const prefix = `${escapeLike(normalized)}%`;
      const similarity = fuzzy ? `"${trgm}".similarity(n.normalized, ?)` : "0";
      const match = fuzzy ? `(n.normalized like ? or n.normalized operator("${trgm}".%) ?)` : "n.normalized like ?";
      const filters: string[] = [];
      const filterParams: unknown[] = [];
      if (options.kinds.length) {
        filters.push(`p.kind in (${options.kinds.map(() => "?").join(", ")})`);
        filterParams.push(...options.kinds);
      }
      if (options.countryId) {
        filters.push("p.country_id = ?");
        filterParams.push(options.countryId);
      }
      const rows = await query<PlaceRowRaw>(
        em,
        `with matches as (
           select n.place_id, min(case when n.normalized = ? then 0 when n.normalized like ? then 1 else 2 end) as rank, max(${similarity}) as score
           from ${tableOf(em, PlaceNameEntity)} n where ${match} group by n.place_id)
         select ${PLACE_COLUMNS} from matches m join ${tableOf(em, Place)} p on p.id = m.place_id
         ${filters.length ? `where ${filters.join(" and ")}` : ""}
         order by m.rank, m.score desc, case p.kind when 'country' then 0 when 'subdivision' then 1 else 2 end, coalesce(p.population, 0) desc, p.id
         limit ?`,
        [normalized, prefix, ...(fuzzy ? [normalized] : []), prefix, ...(fuzzy ? [normalized] : []), ...filterParams, options.limit],
      );
      return { places: await describe(em, rows, options.language), typoTolerant: Boolean(trgm) };
    },
  };
}
