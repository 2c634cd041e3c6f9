// Raw SQL for the hot paths. Table names come from the entities' metadata, qualified by the tier schema (raw
// queries do not get the ORM's schema), so renaming a table in an entity needs no change here.
import type { EntityName } from "@mikro-orm/core";
import type { EntityManager } from "../core/db.js";

export function tableOf(em: EntityManager, entity: EntityName): string {
  const meta = em.getMetadata().get(entity as never);
  const schema = meta.schema ?? em.config.get("schema");
  return schema ? `"${schema}"."${meta.tableName}"` : `"${meta.tableName}"`;
}

export async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params as never[], "all", em.getTransactionContext())) as T[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids reach uuid columns only when they are uuids: anything else would be a SQL error, not a "no". */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

// --- Hot reads on PostgreSQL --------------------------------------------------------------------------------
// The ORM's raw `execute` interpolates parameters into the SQL text client-side and goes through kysely's
// connection acquisition; for the two reads every authorized call makes (the decision facts, GetAccount) that
// was most of a call's CPU. On PostgreSQL these go straight to the ORM's own pg Pool as named prepared
// statements (parsed and planned once per connection); elsewhere (PGlite, or inside a transaction) they take the
// ORM's path, which keeps PGlite's single session and transactions intact.

interface NativePool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
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
