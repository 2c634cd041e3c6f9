// Raw SQL helpers for the voting module's hot paths. Raw queries do not get the ORM's schema, so table names
// are qualified from the entities' metadata.
import type { EntityName } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";

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
