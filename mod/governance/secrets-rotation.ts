// `polityd secrets rotate` for the governance module: every value sealed with a key other than the current one
// (plugin configs, subscription secrets, callback secrets) is opened and sealed again with the current key, one
// row at a time under its row lock, so a server running with both keys configured never reads a half-done row.
import type { Database, EntityManager } from "../../sys/core/db.js";
import type { Keyring } from "../../sys/core/secrets/keyring.js";
import { query, tableOf } from "../../sys/core/sql.js";
import { CallbackSecretEntity, PluginInstanceEntity, SubscriptionEntity } from "./entities.js";

interface SealedColumns {
  entity: typeof PluginInstanceEntity | typeof SubscriptionEntity | typeof CallbackSecretEntity;
  key: string;
  /** The columns holding sealed values; each is bound to the row by its key column. */
  columns: string[];
}

const SEALED: SealedColumns[] = [
  { entity: PluginInstanceEntity, key: "id", columns: ["secrets"] },
  { entity: SubscriptionEntity, key: "id", columns: ["secret"] },
  { entity: CallbackSecretEntity, key: "community_id", columns: ["secret", "previous_secret"] },
];

export async function rotateGovernanceSecrets(db: Database, keyring: Keyring): Promise<number> {
  let resealed = 0;
  for (const { entity, key, columns } of SEALED) {
    const table = tableOf(db.em(), entity);
    const rows = await query<Record<string, string | null>>(db.em(), `select ${key}, ${columns.join(", ")} from ${table}`);
    for (const row of rows) {
      if (!columns.some((c) => row[c] && keyring.needsRotation(row[c]!))) continue;
      await db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const [locked] = await query<Record<string, string | null>>(tx, `select ${columns.join(", ")} from ${table} where ${key} = ? for update`, [row[key]]);
        if (!locked) return;
        const values = columns.map((c) => (locked[c] && keyring.needsRotation(locked[c]!) ? keyring.seal(keyring.open(locked[c]!, row[key]!), row[key]!) : locked[c]));
        await query(tx, `update ${table} set ${columns.map((c) => `${c} = ?`).join(", ")} where ${key} = ?`, [...values, row[key]]);
        resealed++;
      });
    }
  }
  return resealed;
}
