// pg-boss speaks PostgreSQL text with $1… parameters through an `executeSql` adapter. These adapters run that text
// on the connection of a MikroORM EntityManager: inside its open transaction when it has one, so a job commits or
// rolls back with the rows that caused it.
import { CompiledQuery } from "kysely";
import type { EntityManager } from "../db.js";

export type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: any[] }>;

interface KyselyExecutor {
  executeQuery(query: CompiledQuery): Promise<{ rows: unknown[] }>;
}

/** Runs on the transaction `em` has open, else on its connection. */
export function executeSqlIn(em: EntityManager): ExecuteSql {
  return async (text, values = []) => {
    // The transaction context of the SQL drivers is kysely's transaction; the connection's client is kysely itself.
    const executor = (em.getTransactionContext() ?? em.getConnection().getClient()) as unknown as KyselyExecutor;
    const result = await executor.executeQuery(CompiledQuery.raw(text, values));
    return { rows: result.rows as any[] };
  };
}
