// A contact's writable fields, cleaned once for every way in (CreateContact, UpdateContact, CSV import): addresses
// in their one written form, language in canonical BCP 47 case, the IANA zone's canonical name, categories
// trimmed. What the proto already checked (lengths, patterns, one address per channel) is not checked again.
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import type { MessagingDeps } from "../deps.js";
import { normaliseAddress } from "./addresses.js";

export interface ConsentInput {
  granted: boolean;
  source: string;
  at?: Date;
}

export interface AddressInput {
  channel: Channel;
  address: string;
  /** Absent: an unchanged address keeps its consent; a new one starts without. */
  consent?: ConsentInput;
}

export interface ContactFields {
  name: string;
  communityId: string;
  language: string;
  timeZone: string;
  defaultRegion: string;
  categories: string[];
  addresses: AddressInput[];
  /** Channels the person opted out of (CSV import of an export only). */
  optedOut?: Channel[];
}

export function canonicalLanguage(language: string, field = "language"): string {
  if (!language) return "";
  try {
    return Intl.getCanonicalLocales(language)[0]!;
  } catch {
    throw invalidArgument(field, `"${language}" is not a BCP 47 language tag`, "INVALID_LANGUAGE");
  }
}

export function canonicalTimeZone(timeZone: string, field = "time_zone"): string {
  if (!timeZone) return "";
  try {
    return new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw invalidArgument(field, `"${timeZone}" is not an IANA time zone (e.g. Europe/Brussels)`, "INVALID_TIME_ZONE");
  }
}

export function cleanCategories(categories: string[]): string[] {
  return [...new Set(categories.map((c) => c.trim()).filter(Boolean))];
}

/** The fields cleaned; throws INVALID_ADDRESS, INVALID_LANGUAGE or INVALID_TIME_ZONE naming the culprit. */
export function cleanFields(deps: Pick<MessagingDeps, "config">, fields: ContactFields): ContactFields {
  const defaultRegion = fields.defaultRegion.toUpperCase();
  return {
    name: fields.name.trim(),
    communityId: fields.communityId.toLowerCase(),
    language: canonicalLanguage(fields.language),
    timeZone: canonicalTimeZone(fields.timeZone),
    defaultRegion,
    categories: cleanCategories(fields.categories),
    addresses: fields.addresses.map((a) => ({
      ...a,
      address: normaliseAddress(a.channel, a.address, { defaultRegion, allowLoopbackHttp: deps.config.outboundAllowPrivate }),
    })),
    optedOut: fields.optedOut,
  };
}

/** Throws unless the community exists and belongs to the org. */
export async function checkCommunity(deps: MessagingDeps, orgId: string, communityId: string, field = "community_id"): Promise<void> {
  if (!communityId) return;
  const community = await deps.directory.getCommunity(communityId);
  if (!community || community.orgId !== orgId) throw invalidArgument(field, `no community ${communityId} in this org`, "UNKNOWN_COMMUNITY");
}
