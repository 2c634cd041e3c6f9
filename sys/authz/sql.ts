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
