// Case- and accent-insensitive word matching in SQL that runs the same on PostgreSQL and PGlite: no unaccent
// extension is needed (PGlite may not have it), the text is folded with translate(), and where the database has
// pg_trgm a word also matches a close misspelling (word_similarity). Folding happens on both sides in SQL, so
// the query and the stored text are always folded by the same rules.
import type { EntityManager } from "../../../sys/core/db.js";
import { escapeLike, query } from "../../../sys/core/sql.js";

// Latin letters with diacritics (both cases: lower() in a C-locale database folds ASCII only) and their bases.
const ACCENTED = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž";
// Those NFD does not decompose.
const UNDECOMPOSED: Record<string, string> = { đ: "d", ħ: "h", ı: "i", ŀ: "l", ł: "l", ø: "o", ŧ: "t" };
const baseOf = (c: string): string => UNDECOMPOSED[c] ?? c.normalize("NFD").replace(/\p{M}/gu, "");
const FROM = [...ACCENTED].join("") + [...ACCENTED].map((c) => c.toUpperCase()).filter((c) => c.length === 1).join("");
const TO = [...FROM].map((c) => baseOf(c.toLowerCase())).join("");

/** SQL folding `expression` to lower case without accents. */
export function foldSql(expression: string): string {
  return `translate(lower(${expression}), '${FROM}', '${TO}')`;
}

/** At most this many words count; the rest of a long query is ignored. */
const MAX_WORDS = 8;
/** How close a misspelt word must be (pg_trgm's default word-similarity threshold). */
const SIMILARITY = 0.6;

export interface TextFilter {
  sql: string;
  params: unknown[];
}

/**
 * A condition true when every word of `text` occurs in `haystack` (an SQL expression), folded, or — with
 * `trgmSchema` — is close to one of its words. Undefined when `text` has no words.
 */
export function wordsFilter(text: string, haystack: string, trgmSchema: string | undefined): TextFilter | undefined {
  const words = text.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
  if (words.length === 0) return undefined;
  const folded = foldSql(haystack);
  const params: unknown[] = [];
  const conditions = words.map((word) => {
    params.push(escapeLike(word));
    const contains = `${folded} like '%' || ${foldSql("?")} || '%'`;
    if (!trgmSchema || word.length < 4) return `(${contains})`;
    params.push(word);
    return `(${contains} or "${trgmSchema}".word_similarity(${foldSql("?")}, ${folded}) >= ${SIMILARITY})`;
  });
  return { sql: conditions.join(" and "), params };
}

/** The schema holding pg_trgm's functions, when the extension is installed in this database. */
export async function trgmSchemaOf(em: EntityManager): Promise<string | undefined> {
  const rows = await query<{ schema: string }>(
    em,
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
  );
  return rows[0]?.schema;
}
