// `polityd secrets rotate` for provider credentials: each provider's secrets sealed with an older key are opened
// and sealed again with the current one, under the row's lock (its id stays the associated data).
import type { Database, EntityManager } from "../../../sys/core/db.js";
import type { Keyring } from "../../../sys/core/secrets/keyring.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ProviderEntity } from "./entities.js";

export async function rotateProviderSecrets(db: Database, keyring: Keyring): Promise<number> {
  const table = tableOf(db.em(), ProviderEntity);
  const rows = await query<{ id: string; secrets: string }>(db.em(), `select id, secrets from ${table} where secrets is not null`);
  let resealed = 0;
  for (const row of rows.filter((r) => keyring.needsRotation(r.secrets))) {
    await db.em().transactional(async (txem) => {
      const tx = txem as EntityManager;
      const [locked] = await query<{ secrets: string | null }>(tx, `select secrets from ${table} where id = ? for update`, [row.id]);
      if (!locked?.secrets || !keyring.needsRotation(locked.secrets)) return;
      await query(tx, `update ${table} set secrets = ? where id = ?`, [keyring.seal(keyring.open(locked.secrets, row.id), row.id), row.id]);
      resealed++;
    });
  }
  return resealed;
}
