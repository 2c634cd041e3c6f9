// ListContacts: the org's contacts oldest first, filtered by category, community, channel and text.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { ilikePattern, tableOf } from "../../../sys/core/sql.js";
import type { EntityManager } from "../../../sys/core/db.js";
import type { MessagingDeps } from "../deps.js";
import { contactToProto } from "./contact-convert.js";
import { readContacts, type ContactRow } from "./contact-rows.js";
import { ContactAddressEntity } from "./entities.js";

export interface ContactFilter {
  category?: string;
  communityId?: string;
  channel?: number;
  query?: string;
}

/** Rows after the (createdAt, id) cursor in that order, at most `limit`. */
export async function contactsAfter(em: EntityManager, orgId: string, filter: ContactFilter, after: { createdAt: Date; id: string } | undefined, limit: number): Promise<ContactRow[]> {
  const where = ["true"];
  const params: unknown[] = [];
  const addresses = tableOf(em, ContactAddressEntity);
  if (filter.category) {
    where.push("? = any(c.categories)");
    params.push(filter.category);
  }
  if (filter.communityId) {
    where.push("c.community_id = ?");
    params.push(filter.communityId);
  }
  if (filter.channel) {
    where.push(`exists (select 1 from ${addresses} a where a.contact_id = c.id and a.channel = ?)`);
    params.push(filter.channel);
  }
  if (filter.query) {
    where.push(`(c.name ilike ? or exists (select 1 from ${addresses} a where a.contact_id = c.id and a.address ilike ?))`);
    params.push(ilikePattern(filter.query), ilikePattern(filter.query));
  }
  if (after) {
    where.push("(c.created_at, c.id) > (?, ?)");
    params.push(after.createdAt, after.id);
  }
  return readContacts(em, orgId, where.join(" and "), params, `order by c.created_at, c.id limit ${Math.max(1, Math.floor(limit))}`);
}

export function createListHandler(deps: MessagingDeps): Pick<ServiceImpl<typeof ContactService>, "listContacts"> {
  return {
    async listContacts(req) {
      const size = pageSizeOf(req.pageSize);
      const filter = { category: req.category, communityId: req.communityId, channel: req.channel, query: req.query };
      const rows = await contactsAfter(deps.db.em(), req.orgId, filter, decodeCursor(req.pageToken), size + 1);
      const page = pageOf(rows, size);
      return { contacts: page.items.map(contactToProto), nextPageToken: page.nextPageToken };
    },
  };
}
