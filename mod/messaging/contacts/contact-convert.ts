// Rows to the wire and back.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ConsentChange,
  ConsentEventSchema,
  ContactSchema,
  type Contact,
  type ConsentEvent,
} from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import type { ContactRow } from "./contact-rows.js";
import type { ContactFields } from "./contact-fields.js";
import type { ConsentChange as ChangeName } from "./consent.js";

export function contactToProto(row: ContactRow): Contact {
  return create(ContactSchema, {
    id: row.id,
    orgId: row.orgId,
    communityId: row.communityId ?? "",
    name: row.name,
    addresses: row.addresses.map((a) => ({
      channel: a.channel,
      address: a.address,
      consent: { granted: a.consentGranted, source: a.consentSource, at: a.consentAt && timestampFromDate(a.consentAt) },
      optedOutAt: a.optedOutAt && timestampFromDate(a.optedOutAt),
    })),
    categories: row.categories,
    language: row.language,
    timeZone: row.timeZone,
    defaultRegion: row.defaultRegion,
    optedOut: row.addresses.filter((a) => a.optedOutAt).map((a) => a.channel),
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

/** The writable fields of a request's contact; a consent without a source is the caller's. */
export function fieldsFromProto(contact: Contact, defaultSource: string): ContactFields {
  return {
    name: contact.name,
    communityId: contact.communityId,
    language: contact.language,
    timeZone: contact.timeZone,
    defaultRegion: contact.defaultRegion,
    categories: contact.categories,
    addresses: contact.addresses.map((a) => ({
      channel: a.channel,
      address: a.address,
      consent: a.consent && { granted: a.consent.granted, source: a.consent.source || defaultSource, at: a.consent.at && timestampDate(a.consent.at) },
    })),
  };
}

const CHANGES: Record<ChangeName, ConsentChange> = {
  granted: ConsentChange.GRANTED,
  withdrawn: ConsentChange.WITHDRAWN,
  opted_out: ConsentChange.OPTED_OUT,
};

export function consentEventToProto(row: { id: string; channel: number; change: string; source: string; at: Date }): ConsentEvent {
  return create(ConsentEventSchema, {
    id: row.id,
    channel: row.channel,
    change: CHANGES[row.change as ChangeName] ?? ConsentChange.UNSPECIFIED,
    source: row.source,
    at: timestampFromDate(row.at),
  });
}
