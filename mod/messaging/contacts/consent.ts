// Consent changes, each recorded in the history: an admin's grant or withdrawal (SetConsent, imports), and the
// person's own opt-out (an SMS STOP, an unsubscribe link), which a later grant alone clears.
import { randomUUID } from "node:crypto";
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ConsentEventEntity, ContactAddressEntity, MemberOptOutEntity } from "./entities.js";

export type ConsentChange = "granted" | "withdrawn" | "opted_out";

export interface ConsentSubject {
  orgId: string;
  contactId?: string;
  accountId?: string;
}

export async function recordConsentEvent(em: EntityManager, subject: ConsentSubject, channel: Channel, change: ConsentChange, source: string, at: Date): Promise<string> {
  const id = randomUUID();
  await query(
    em,
    `insert into ${tableOf(em, ConsentEventEntity)} (id, org_id, contact_id, account_id, channel, change, source, at) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, subject.orgId, subject.contactId ?? null, subject.accountId ?? null, channel, change, source.slice(0, 200), at],
  );
  return id;
}

/** Sets a contact's consent on a channel: the event's id, or undefined when the contact has no address there. */
export async function setContactConsent(em: EntityManager, orgId: string, contactId: string, channel: Channel, granted: boolean, source: string, at: Date): Promise<string | undefined> {
  const rows = await query(
    em,
    `update ${tableOf(em, ContactAddressEntity)} set consent_granted = ?, consent_source = ?, consent_at = ?${granted ? ", opted_out_at = null" : ""}
     where org_id = ? and contact_id = ? and channel = ? returning channel`,
    [granted, source.slice(0, 200), at, orgId, contactId, channel],
  );
  if (rows.length === 0) return undefined;
  return recordConsentEvent(em, { orgId, contactId }, channel, granted ? "granted" : "withdrawn", source, at);
}

/** A member's consent is implied by membership; a withdrawal is stored as an opt-out, a grant removes it. */
export async function setMemberConsent(em: EntityManager, orgId: string, accountId: string, channel: Channel, granted: boolean, source: string, at: Date): Promise<string> {
  const table = tableOf(em, MemberOptOutEntity);
  if (granted) await query(em, `delete from ${table} where org_id = ? and account_id = ? and channel = ?`, [orgId, accountId, channel]);
  else {
    await query(
      em,
      `insert into ${table} (org_id, account_id, channel, source, at) values (?, ?, ?, ?, ?)
       on conflict (org_id, account_id, channel) do update set source = excluded.source, at = excluded.at`,
      [orgId, accountId, channel, source.slice(0, 200), at],
    );
  }
  return recordConsentEvent(em, { orgId, accountId }, channel, granted ? "granted" : "withdrawn", source, at);
}

/** The person asked to stop; recorded once (a repeated STOP changes nothing). */
export async function optOutContact(em: EntityManager, orgId: string, contactId: string, channel: Channel, source: string, at: Date): Promise<void> {
  const rows = await query(
    em,
    `update ${tableOf(em, ContactAddressEntity)} set consent_granted = false, consent_source = ?, consent_at = ?, opted_out_at = ?
     where org_id = ? and contact_id = ? and channel = ? and opted_out_at is null returning channel`,
    [source.slice(0, 200), at, at, orgId, contactId, channel],
  );
  if (rows.length > 0) await recordConsentEvent(em, { orgId, contactId }, channel, "opted_out", source, at);
}

export async function optOutMember(em: EntityManager, orgId: string, accountId: string, channel: Channel, source: string, at: Date): Promise<void> {
  const rows = await query(
    em,
    `insert into ${tableOf(em, MemberOptOutEntity)} (org_id, account_id, channel, source, at) values (?, ?, ?, ?, ?)
     on conflict (org_id, account_id, channel) do nothing returning channel`,
    [orgId, accountId, channel, source.slice(0, 200), at],
  );
  if (rows.length > 0) await recordConsentEvent(em, { orgId, accountId }, channel, "opted_out", source, at);
}
