// What the other messaging areas know of contacts: a recipient (a contact, or a community member read through
// sys's directory) with its addresses, consent and opt-outs. Names and shapes are shared contracts.
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { isUuid, query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { normaliseAddress as normalise } from "./addresses.js";
import { memberOptOuts, readContact, readContacts, type ContactRow } from "./contact-rows.js";
import { optOutContact, optOutMember } from "./consent.js";
import { ContactAddressEntity } from "./entities.js";
import { memberDirectory, type MemberProfile } from "./member-directory.js";
import { sealUnsubscribeToken } from "./unsubscribe-token.js";
import { publicBaseUrl } from "../public-url.js";

export interface RecipientRef {
  contactId?: string;
  member?: { communityId: string; accountId: string };
}

export interface Recipient {
  orgId: string;
  ref: RecipientRef;
  contactId?: string;
  accountId?: string;
  /** The contact's community, or the member's: where their received messages are announced to drivers. */
  communityId?: string;
  name: string;
  /** BCP 47, "" = the org's default. */
  language: string;
  /** IANA, "" = UTC. */
  timeZone: string;
  categories: string[];
  addresses: Array<{ channel: Channel; address: string; consented: boolean }>;
  optedOut: Channel[];
}

/** The address in its one written form; throws InvalidArgument INVALID_ADDRESS saying which and why. */
export function normaliseAddress(channel: Channel, raw: string, options?: { defaultRegion?: string; allowLoopbackHttp?: boolean }): string {
  return normalise(channel, raw, options);
}

export function recipientOfContact(row: ContactRow): Recipient {
  return {
    orgId: row.orgId,
    ref: { contactId: row.id },
    contactId: row.id,
    communityId: row.communityId,
    name: row.name,
    language: row.language,
    timeZone: row.timeZone,
    categories: row.categories,
    addresses: row.addresses.map((a) => ({ channel: a.channel, address: a.address, consented: a.consentGranted && !a.optedOutAt })),
    optedOut: row.addresses.filter((a) => a.optedOutAt).map((a) => a.channel),
  };
}

/** Membership implies consent to the community's transactional email, until the member opts out. */
export function recipientOfMember(orgId: string, communityId: string, accountId: string, profile: MemberProfile | undefined, optedOut: Channel[]): Recipient {
  return {
    orgId,
    ref: { member: { communityId, accountId } },
    accountId,
    communityId,
    name: profile?.displayName ?? "",
    language: "",
    timeZone: "",
    categories: [],
    addresses: profile?.email ? [{ channel: Channel.EMAIL, address: profile.email, consented: !optedOut.includes(Channel.EMAIL) }] : [],
    optedOut,
  };
}

/** Those of `accountIds` still members, as recipients (one who left between the listing and now is left out). */
async function membersAsRecipients(deps: MessagingDeps, em: EntityManager, orgId: string, communityId: string, accountIds: string[]): Promise<Recipient[]> {
  const [profiles, optOuts] = await Promise.all([memberDirectory(deps.directory).profilesOf(communityId, accountIds), memberOptOuts(em, orgId, accountIds)]);
  return accountIds.filter((id) => profiles.has(id)).map((id) => recipientOfMember(orgId, communityId, id, profiles.get(id), optOuts.get(id) ?? []));
}

/**
 * The recipient a ref names in the org; undefined if the contact is unknown or erased, or no longer a member. A
 * member comes with their name and verified email, read from sys each time (briefly cached): `bearer` is an RPC
 * caller's, whose permissions then apply; without one (background work) the mod tier's own credential does.
 */
export async function loadRecipient(deps: MessagingDeps, em: EntityManager, orgId: string, ref: RecipientRef, bearer?: string): Promise<Recipient | undefined> {
  if (!isUuid(orgId)) return undefined;
  if (ref.contactId) {
    if (!isUuid(ref.contactId)) return undefined;
    const row = await readContact(em, orgId, ref.contactId);
    return row && recipientOfContact(row);
  }
  if (ref.member) {
    const { communityId, accountId } = ref.member;
    if (!isUuid(communityId) || !isUuid(accountId)) return undefined;
    const [profile, optOuts] = await Promise.all([memberDirectory(deps.directory).memberProfile(orgId, communityId, accountId, bearer), memberOptOuts(em, orgId, [accountId])]);
    return profile && recipientOfMember(orgId, communityId, accountId, profile, optOuts.get(accountId) ?? []);
  }
  return undefined;
}

/**
 * loadRecipient for many refs of one org at once (a sender's batch): contacts in two queries, members through the
 * directory one by one (it is cached). Same order as `refs`; undefined where loadRecipient would answer undefined.
 */
export async function loadRecipients(deps: MessagingDeps, em: EntityManager, orgId: string, refs: RecipientRef[]): Promise<Array<Recipient | undefined>> {
  if (!isUuid(orgId)) return refs.map(() => undefined);
  const contactIds = [...new Set(refs.flatMap((r) => (r.contactId && isUuid(r.contactId) ? [r.contactId] : [])))];
  const contacts = new Map<string, Recipient>();
  if (contactIds.length > 0) for (const row of await readContacts(em, orgId, "c.id in (?)", [contactIds])) contacts.set(row.id, recipientOfContact(row));
  return Promise.all(refs.map((ref) => (ref.contactId ? contacts.get(ref.contactId) : ref.member ? loadRecipient(deps, em, orgId, ref) : undefined)));
}

/**
 * The contact an inbound message came from, by its address on that channel (written in any accepted form).
 * Members are not matched by email: that would be a reverse lookup (address → account) across every community
 * of the org in sys, which the directory does not offer; a member's reply matches the message it answers.
 */
export async function findRecipientByAddress(deps: MessagingDeps, em: EntityManager, orgId: string, channel: Channel, address: string): Promise<Recipient | undefined> {
  if (!isUuid(orgId)) return undefined;
  let normalised: string;
  try {
    normalised = normalise(channel, address, { allowLoopbackHttp: deps.config.outboundAllowPrivate });
  } catch {
    return undefined;
  }
  const rows = await query<{ contact_id: string }>(
    em,
    `select contact_id from ${tableOf(em, ContactAddressEntity)} where org_id = ? and channel = ? and address = ?`,
    [orgId, channel, normalised],
  );
  return rows[0] ? loadRecipient(deps, em, orgId, { contactId: rows[0].contact_id }) : undefined;
}

/** The person asked to stop on this channel (STOP, an unsubscribe link): no later send uses it. */
export async function recordOptOut(deps: MessagingDeps, em: EntityManager, orgId: string, ref: RecipientRef, channel: Channel, source: string): Promise<void> {
  const at = new Date();
  if (ref.contactId && isUuid(ref.contactId)) await optOutContact(em, orgId, ref.contactId, channel, source, at);
  else if (ref.member && isUuid(ref.member.accountId)) await optOutMember(em, orgId, ref.member.accountId, channel, source, at);
}

/**
 * An RFC 8058 one-click unsubscribe link (for List-Unsubscribe with List-Unsubscribe-Post: List-Unsubscribe=One-Click)
 * on the server's public URL. Throws SECRETS_KEY_NOT_CONFIGURED when no secrets key is configured.
 */
export function unsubscribeUrl(deps: MessagingDeps, orgId: string, ref: RecipientRef, channel: Channel): string {
  return `${publicBaseUrl(deps)}/api/messaging/unsubscribe/${sealUnsubscribeToken(deps.secrets, { orgId, ref, channel })}`;
}

export interface RecipientFilter {
  orgId: string;
  /** Contacts in any of these categories (members have none, so a category filter leaves them out). */
  categories?: string[];
  /** Contacts of this community, then the community's members. */
  communityId?: string;
  /** Only recipients with a consented, not opted-out address on this channel. */
  channel?: Channel;
}

/**
 * One page of recipients for a blast: contacts in id order, then (with a community) its members in account
 * order. `after` is the `next` of the previous page (opaque; "" or undefined for the first).
 */
export async function selectRecipients(deps: MessagingDeps, em: EntityManager, filter: RecipientFilter, after: string | undefined, limit: number): Promise<{ recipients: Recipient[]; next?: string }> {
  const [phase, position] = after ? [after.slice(0, 2), after.slice(2)] : ["c:", ""];
  if (!isUuid(filter.orgId) || (filter.communityId && !isUuid(filter.communityId)) || (position && !isUuid(position))) return { recipients: [] };
  const size = Math.max(1, Math.min(limit, 5000));
  const recipients: Recipient[] = [];
  if (phase === "c:") {
    const page = await contactPage(em, filter, position, size);
    recipients.push(...page.recipients);
    if (page.last) return { recipients, next: `c:${page.last}` };
    if (!filter.communityId || filter.categories?.length) return { recipients };
    if (recipients.length >= size) return { recipients, next: "m:" };
  } else if (phase !== "m:") return { recipients: [] };
  // Members: the page continues after `position` (or from the start when the contacts just ran out).
  const members = (await memberDirectory(deps.directory).membersOf(filter.orgId, filter.communityId!)) ?? [];
  const from = phase === "m:" ? members.findIndex((m) => m.accountId > position) : 0;
  if (from < 0) return { recipients };
  const slice = members.slice(from, from + size - recipients.length);
  if (slice.length === 0) return { recipients };
  const found = await membersAsRecipients(deps, em, filter.orgId, filter.communityId!, slice.map((m) => m.accountId));
  const wanted = filter.channel ? found.filter((r) => r.addresses.some((a) => a.channel === filter.channel && a.consented)) : found;
  recipients.push(...wanted);
  const more = from + slice.length < members.length;
  return more ? { recipients, next: `m:${slice.at(-1)!.accountId}` } : { recipients };
}

async function contactPage(em: EntityManager, filter: RecipientFilter, after: string, size: number): Promise<{ recipients: Recipient[]; last?: string }> {
  const where = ["true"];
  const params: unknown[] = [];
  if (after) {
    where.push("c.id > ?");
    params.push(after);
  }
  if (filter.categories?.length) {
    where.push("c.categories && array[?]::text[]");
    params.push(filter.categories);
  }
  if (filter.communityId) {
    where.push("c.community_id = ?");
    params.push(filter.communityId);
  }
  if (filter.channel) {
    where.push(`exists (select 1 from ${tableOf(em, ContactAddressEntity)} a where a.contact_id = c.id and a.channel = ? and a.consent_granted and a.opted_out_at is null)`);
    params.push(filter.channel);
  }
  const rows = await readContacts(em, filter.orgId, where.join(" and "), params, `order by c.id limit ${size + 1}`);
  const page = rows.slice(0, size);
  return { recipients: page.map(recipientOfContact), last: rows.length > size ? page.at(-1)!.id : undefined };
}
