// Taking one due row for this replica: the row's next-time column moves past a lease in the same statement
// that picks it (FOR UPDATE SKIP LOCKED), and that commits at once. Other replicas skip it until the lease ends;
// if this replica dies mid-work the row comes due again and another takes it — nothing is lost.
import type { EntityName } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";

export async function claimDue<T>(em: EntityManager, entity: EntityName, options: { timeColumn: string; where: string; leaseMs: number; now: Date; extraSet?: string }): Promise<T | undefined> {
  const table = tableOf(em, entity);
  const [row] = await query<T>(em,
    `update ${table} set ${options.timeColumn} = ?${options.extraSet ? `, ${options.extraSet}` : ""}
     where id = (select id from ${table} where ${options.where} and ${options.timeColumn} <= ? order by ${options.timeColumn} limit 1 for update skip locked)
     returning *`,
    [new Date(options.now.getTime() + options.leaseMs), options.now]);
  return row;
}
