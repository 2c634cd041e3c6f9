// Contact rows and their addresses: create, replace fields, replace addresses (keeping an unchanged address's
// consent and opt-out), erase. Runs inside the caller's transaction.
import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { CHANNEL_NAMES } from "./addresses.js";
import { optOutContact, recordConsentEvent } from "./consent.js";
import type { AddressInput, ContactFields } from "./contact-fields.js";
import { ConsentEventEntity, ContactAddressEntity, ContactEntity } from "./entities.js";

export const addressTaken = (channel: Channel, address: string, contactId: string) =>
  apiError(Code.AlreadyExists, "ADDRESS_TAKEN", `${CHANNEL_NAMES[channel]} address ${address} already belongs to contact ${contactId}`, {
    channel: CHANNEL_NAMES[channel],
    address,
    contact_id: contactId,
  });

/** A PostgreSQL text[] literal (parameters are interpolated as strings). */
export function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/** Throws ADDRESS_TAKEN when another contact of the org already has one of these addresses. */
export async function checkAddressesFree(em: EntityManager, orgId: string, contactId: string, addresses: AddressInput[]): Promise<void> {
  for (const a of addresses) {
    const rows = await query<{ contact_id: string }>(
      em,
      `select contact_id from ${tableOf(em, ContactAddressEntity)} where org_id = ? and channel = ? and address = ? and contact_id <> ?`,
      [orgId, a.channel, a.address, contactId],
    );
    if (rows[0]) throw addressTaken(a.channel, a.address, rows[0].contact_id);
  }
}

export async function insertContact(em: EntityManager, orgId: string, fields: ContactFields, now: Date, id = randomUUID()): Promise<string> {
  await query(
    em,
    `insert into ${tableOf(em, ContactEntity)} (id, org_id, community_id, name, language, time_zone, default_region, categories, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?)`,
    [id, orgId, fields.communityId || null, fields.name, fields.language, fields.timeZone, fields.defaultRegion, textArray(fields.categories), now, now],
  );
  await replaceAddresses(em, orgId, id, fields.addresses, now);
  for (const channel of fields.optedOut ?? []) await optOutContact(em, orgId, id, channel, "import", now);
  return id;
}

export type WritableField = "name" | "addresses" | "categories" | "language" | "time_zone" | "default_region" | "community_id";

export async function updateContactFields(em: EntityManager, orgId: string, id: string, fields: ContactFields, paths: Set<WritableField>, now: Date): Promise<void> {
  const sets: string[] = ["updated_at = ?"];
  const params: unknown[] = [now];
  const set = (path: WritableField, column: string, value: unknown, cast = "") => {
    if (!paths.has(path)) return;
    sets.push(`${column} = ?${cast}`);
    params.push(value);
  };
  set("name", "name", fields.name);
  set("categories", "categories", textArray(fields.categories), "::text[]");
  set("language", "language", fields.language);
  set("time_zone", "time_zone", fields.timeZone);
  set("default_region", "default_region", fields.defaultRegion);
  set("community_id", "community_id", fields.communityId || null);
  await query(em, `update ${tableOf(em, ContactEntity)} set ${sets.join(", ")} where org_id = ? and id = ?`, [...params, orgId, id]);
  if (paths.has("addresses")) await replaceAddresses(em, orgId, id, fields.addresses, now);
}

/** Makes the contact's addresses exactly these; an address kept as it was keeps its consent unless one is given. */
export async function replaceAddresses(em: EntityManager, orgId: string, contactId: string, addresses: AddressInput[], now: Date): Promise<void> {
  const table = tableOf(em, ContactAddressEntity);
  const existing = await query<{ channel: number; address: string }>(em, `select channel, address from ${table} where contact_id = ?`, [contactId]);
  const kept = new Set<number>();
  for (const row of existing) {
    const next = addresses.find((a) => a.channel === Number(row.channel));
    if (next && next.address === row.address) kept.add(Number(row.channel));
    else await query(em, `delete from ${table} where contact_id = ? and channel = ?`, [contactId, row.channel]);
  }
  await checkAddressesFree(em, orgId, contactId, addresses.filter((a) => !kept.has(a.channel)));
  for (const a of addresses) {
    if (kept.has(a.channel)) {
      if (a.consent) await setConsentOf(em, orgId, contactId, a);
      continue;
    }
    const consent = a.consent;
    await query(
      em,
      `insert into ${table} (contact_id, channel, org_id, address, consent_granted, consent_source, consent_at, opted_out_at) values (?, ?, ?, ?, ?, ?, ?, null)`,
      [contactId, a.channel, orgId, a.address, consent?.granted ?? false, consent?.source ?? "", consent ? (consent.at ?? now) : null],
    );
    if (consent?.granted) await recordConsentEvent(em, { orgId, contactId }, a.channel, "granted", consent.source, consent.at ?? now);
  }
}

/** An explicit consent for an unchanged address: recorded when it changes something (a grant clears an opt-out). */
async function setConsentOf(em: EntityManager, orgId: string, contactId: string, a: AddressInput): Promise<void> {
  const consent = a.consent!;
  const at = consent.at ?? new Date();
  const rows = await query(
    em,
    `update ${tableOf(em, ContactAddressEntity)} set consent_granted = ?, consent_source = ?, consent_at = ?${consent.granted ? ", opted_out_at = null" : ""}
     where contact_id = ? and channel = ? and ${consent.granted ? "(not consent_granted or opted_out_at is not null)" : "consent_granted"} returning channel`,
    [consent.granted, consent.source, at, contactId, a.channel],
  );
  if (rows.length > 0) await recordConsentEvent(em, { orgId, contactId }, a.channel, consent.granted ? "granted" : "withdrawn", consent.source, at);
}

/** Blanks every personal field and removes addresses and consent history; the id stays for message history. */
export async function eraseContact(em: EntityManager, orgId: string, id: string, now: Date): Promise<boolean> {
  const rows = await query(
    em,
    `update ${tableOf(em, ContactEntity)} set name = '', language = '', time_zone = '', default_region = '', categories = '{}', community_id = null,
     erased_at = ?, updated_at = ? where org_id = ? and id = ? and erased_at is null returning id`,
    [now, now, orgId, id],
  );
  if (rows.length === 0) return false;
  await query(em, `delete from ${tableOf(em, ContactAddressEntity)} where contact_id = ?`, [id]);
  await query(em, `delete from ${tableOf(em, ConsentEventEntity)} where org_id = ? and contact_id = ?`, [orgId, id]);
  return true;
}
