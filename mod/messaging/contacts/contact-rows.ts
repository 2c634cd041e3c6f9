// Reads of contacts with their addresses, shared by the RPCs and the cross-area recipient functions.
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ContactAddressEntity, ContactEntity, MemberOptOutEntity } from "./entities.js";

export interface AddressRow {
  channel: Channel;
  address: string;
  consentGranted: boolean;
  consentSource: string;
  consentAt?: Date;
  optedOutAt?: Date;
}

export interface ContactRow {
  id: string;
  orgId: string;
  communityId?: string;
  name: string;
  language: string;
  timeZone: string;
  defaultRegion: string;
  categories: string[];
  createdAt: Date;
  updatedAt: Date;
  addresses: AddressRow[];
}

interface RawContact {
  id: string;
  org_id: string;
  community_id: string | null;
  name: string;
  language: string;
  time_zone: string;
  default_region: string;
  categories: string[];
  created_at: Date | string;
  updated_at: Date | string;
}

interface RawAddress {
  contact_id: string;
  channel: number;
  address: string;
  consent_granted: boolean;
  consent_source: string;
  consent_at: Date | string | null;
  opted_out_at: Date | string | null;
}

const dateOf = (value: Date | string | null): Date | undefined => (value === null ? undefined : new Date(value));

/** Contact rows (not erased) of `orgId` selected by `where` (SQL on alias c), with their addresses, in order. */
export async function readContacts(em: EntityManager, orgId: string, where: string, params: unknown[], tail = ""): Promise<ContactRow[]> {
  const rows = await query<RawContact>(
    em,
    `select c.id, c.org_id, c.community_id, c.name, c.language, c.time_zone, c.default_region, c.categories, c.created_at, c.updated_at
     from ${tableOf(em, ContactEntity)} c where c.org_id = ? and c.erased_at is null and (${where}) ${tail}`,
    [orgId, ...params],
  );
  if (rows.length === 0) return [];
  const addresses = await query<RawAddress>(
    em,
    `select contact_id, channel, address, consent_granted, consent_source, consent_at, opted_out_at
     from ${tableOf(em, ContactAddressEntity)} where contact_id in (?) order by channel`,
    [rows.map((r) => r.id)],
  );
  const byContact = new Map<string, AddressRow[]>();
  for (const a of addresses) {
    const list = byContact.get(a.contact_id) ?? [];
    list.push({
      channel: Number(a.channel) as Channel,
      address: a.address,
      consentGranted: a.consent_granted,
      consentSource: a.consent_source,
      consentAt: dateOf(a.consent_at),
      optedOutAt: dateOf(a.opted_out_at),
    });
    byContact.set(a.contact_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    communityId: r.community_id ?? undefined,
    name: r.name,
    language: r.language,
    timeZone: r.time_zone,
    defaultRegion: r.default_region,
    categories: r.categories ?? [],
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    addresses: byContact.get(r.id) ?? [],
  }));
}

export async function readContact(em: EntityManager, orgId: string, id: string): Promise<ContactRow | undefined> {
  return (await readContacts(em, orgId, "c.id = ?", [id]))[0];
}

/** Each account's opted-out channels in the org. */
export async function memberOptOuts(em: EntityManager, orgId: string, accountIds: string[]): Promise<Map<string, Channel[]>> {
  const result = new Map<string, Channel[]>();
  if (accountIds.length === 0) return result;
  const rows = await query<{ account_id: string; channel: number }>(
    em,
    `select account_id, channel from ${tableOf(em, MemberOptOutEntity)} where org_id = ? and account_id in (?)`,
    [orgId, accountIds],
  );
  for (const r of rows) result.set(r.account_id, [...(result.get(r.account_id) ?? []), Number(r.channel) as Channel]);
  return result;
}
