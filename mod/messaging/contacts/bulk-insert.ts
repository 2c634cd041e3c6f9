// Many contacts at once (CSV import): multi-row inserts in chunks instead of a handful of statements per contact.
// The caller has already checked the addresses are free and distinct; a concurrent writer taking one meanwhile
// fails the whole insert with a unique violation.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { ContactFields } from "./contact-fields.js";
import { textArray } from "./contact-writes.js";
import { ConsentEventEntity, ContactAddressEntity, ContactEntity } from "./entities.js";

const CHUNK = 500;

async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][], casts: Record<string, string> = {}): Promise<void> {
  const tuple = `(${columns.map((c) => `?${casts[c] ?? ""}`).join(", ")})`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await query(em, `insert into ${table} (${columns.join(", ")}) values ${chunk.map(() => tuple).join(", ")}`, chunk.flat());
  }
}

/** Creates the contacts with their addresses, consents and opt-outs; returns their ids in order. */
export async function insertContactsBulk(em: EntityManager, orgId: string, contacts: ContactFields[], now: Date): Promise<string[]> {
  const ids = contacts.map(() => randomUUID());
  const contactRows = contacts.map((f, i) => [ids[i], orgId, f.communityId || null, f.name, f.language, f.timeZone, f.defaultRegion, textArray(f.categories), now, now]);
  await insertRows(em, tableOf(em, ContactEntity), ["id", "org_id", "community_id", "name", "language", "time_zone", "default_region", "categories", "created_at", "updated_at"], contactRows, { categories: "::text[]" });

  const addressRows: unknown[][] = [];
  const eventRows: unknown[][] = [];
  contacts.forEach((f, i) => {
    for (const a of f.addresses) {
      const optedOut = f.optedOut?.includes(a.channel) ?? false;
      const granted = !optedOut && (a.consent?.granted ?? false);
      const source = optedOut ? "import" : (a.consent?.source ?? "");
      const at = optedOut || a.consent ? (a.consent?.at ?? now) : null;
      addressRows.push([ids[i], a.channel, orgId, a.address, granted, source.slice(0, 200), at, optedOut ? now : null]);
      if (a.consent?.granted) eventRows.push([randomUUID(), orgId, ids[i], null, a.channel, "granted", a.consent.source.slice(0, 200), a.consent.at ?? now]);
      if (optedOut) eventRows.push([randomUUID(), orgId, ids[i], null, a.channel, "opted_out", "import", now]);
    }
  });
  await insertRows(em, tableOf(em, ContactAddressEntity), ["contact_id", "channel", "org_id", "address", "consent_granted", "consent_source", "consent_at", "opted_out_at"], addressRows);
  await insertRows(em, tableOf(em, ConsentEventEntity), ["id", "org_id", "contact_id", "account_id", "channel", "change", "source", "at"], eventRows);
  return ids;
}
