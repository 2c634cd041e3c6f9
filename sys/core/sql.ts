// Raw SQL for the hot paths of both tiers. Table names come from the entities' metadata, qualified by the tier
// schema (raw queries do not get the ORM's schema), so renaming a table in an entity needs no change here.
import type { EntityName } from "@mikro-orm/core";
import type { Database, EntityManager } from "./db.js";

export function tableOf(em: EntityManager, entity: EntityName): string {
  const meta = em.getMetadata().get(entity as never);
  const schema = meta.schema ?? em.config.get("schema");
  return schema ? `"${schema}"."${meta.tableName}"` : `"${meta.tableName}"`;
}

/** Runs `sql` (with `?` parameters) in the em's transaction, if any. */
export async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params as never[], "all", em.getTransactionContext())) as T[];
}

/** Runs `work` in the em's transaction, or in a new one when there is none. */
export function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.getTransactionContext() ? work(em) : em.transactional((tx) => work(tx as EntityManager));
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids reach uuid columns only when they are uuids: anything else would be a SQL error, not a "no". */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** `text` with LIKE's wildcards (and its escape character) escaped, to match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A case-insensitive "contains" pattern for ILIKE: a search box's text, matched literally. */
export function ilikePattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { name?: string }).name === "UniqueConstraintViolationException";
}

/** Flushes, turning a unique-key violation (a slug taken meanwhile) into the caller's AlreadyExists error. */
export async function flushUnique(em: EntityManager, taken: () => Error): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

// --- Hot reads on PostgreSQL --------------------------------------------------------------------------------
// The ORM's raw `execute` interpolates parameters into the SQL text client-side and goes through kysely's
// connection acquisition, and `findOne` adds hydration and the identity map; for the reads on every client's hot
// path (the decision facts, GetAccount, GetListing, GetPoll) that was most of a call's CPU. On PostgreSQL these go straight to the ORM's own pg Pool as named prepared
// statements (parsed and planned once per connection); elsewhere (PGlite, or inside a transaction) they take the
// ORM's path, which keeps PGlite's single session and transactions intact.

interface NativePool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

// Each ORM connection's pool, taken once: asking the connection again after the database was closed would open a
// new pool behind the host's back. Keyed by the connection, so each database (each host) has its own.
const pools = new WeakMap<object, Promise<NativePool | undefined>>();

function nativePoolOf(em: EntityManager): Promise<NativePool | undefined> {
  const connection = em.getConnection();
  let pool = pools.get(connection);
  if (!pool) {
    // Only the `pg` driver's connection exposes a Pool with named prepared statements.
    const isPg = connection.constructor.name === "PostgreSqlConnection";
    pool = isPg ? (connection as unknown as { getNativeClient(): Promise<NativePool> }).getNativeClient() : Promise.resolve(undefined);
    pools.set(connection, pool);
  }
  return pool;
}

export interface HotQuery {
  /** Prepared statement name, unique per text (and per schema: the table names are part of the text). */
  name: string;
  /** PostgreSQL text with $1… parameters. */
  text: string;
  values: unknown[];
  /** The same read through the ORM (`?` parameters), for PGlite and transactions. */
  orm: { sql: string; params: unknown[] };
}

export async function hotQuery<T>(em: EntityManager, q: HotQuery): Promise<T[]> {
  const pool = em.getTransactionContext() ? undefined : await nativePoolOf(em);
  if (pool) return (await pool.query({ name: q.name, text: q.text, values: q.values })).rows as T[];
  return query<T>(em, q.orm.sql, q.orm.params);
}

/**
 * Coalesces the loads asked for during one event-loop turn into one call of `load` (a DataLoader without its
 * cache). Every load starts after all of its callers asked, so each caller sees data at least as fresh as if
 * it had queried alone. `load` returns one result per key, in order.
 */
export function batchPerTurn<K, V>(load: (keys: K[]) => Promise<V[]>, maxBatch = 500): (key: K) => Promise<V> {
  let queue: Array<{ key: K; resolve(v: V): void; reject(e: unknown): void }> = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += maxBatch) {
      const part = batch.slice(i, i + maxBatch);
      load(part.map((p) => p.key)).then(
        (values) => part.forEach((p, j) => p.resolve(values[j]!)),
        (error: unknown) => part.forEach((p) => p.reject(error)),
      );
    }
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ key, resolve, reject });
    });
}

export interface RowReaderOptions<Raw, Row> {
  /** Short name of the read, for the prepared statement's name (e.g. "get_listing"). */
  name: string;
  entity: EntityName;
  /** The select list; aliasing columns to the property names keeps `toRow` short. */
  columns: string;
  toRow(raw: Raw): Row;
}

/**
 * Reads rows by uuid primary key without the ORM's hydration and identity map: the reads of one event-loop turn
 * share one prepared `where id = any($1)` statement. Resolves undefined for an absent row or a non-uuid id (which
 * must not fail the batch it shares).
 */
export function createRowReader<Raw extends { id: string }, Row>(db: Pick<Database, "em">, options: RowReaderOptions<Raw, Row>): (id: string) => Promise<Row | undefined> {
  const { columns, toRow } = options;
  return batchPerTurn(async (ids: string[]) => {
    const unique = [...new Set(ids.filter(isUuid))];
    if (unique.length === 0) return ids.map(() => undefined);
    const em = db.em();
    const table = tableOf(em, options.entity);
    const rows = await hotQuery<Raw>(em, {
      name: `polity_${options.name}_${table.replace(/\W/g, "")}`.slice(0, 63),
      text: `select ${columns} from ${table} where id = any($1::uuid[])`,
      values: [unique],
      orm: { sql: `select ${columns} from ${table} where id in (?)`, params: [unique] },
    });
    // Postgres returns uuids in lower case; ids asked for in upper case still find theirs.
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const raw = byId.get(id.toLowerCase());
      return raw ? toRow(raw) : undefined;
    });
  });
}

/** A timestamp column as a Date, whichever driver read it (pg gives Dates; other paths may give strings). */
export function dateOf(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A json column as a value, whichever driver read it. */
export function jsonOf<T>(value: T | string): T {
  return typeof value === "string" ? (JSON.parse(value) as T) : value;
}
