// DiscoService: thin — parse, store or query, reply. Authorization and input rules come from the proto.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type DiscoService, type Listing as ListingMessage, ListingSchema } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { Database } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { ilikePattern } from "../../../sys/core/sql.js";
import { Listing } from "./entities.js";
import { createListingReader, type ListingRow } from "./listing-reader.js";

function toMessage(row: ListingRow): ListingMessage {
  return create(ListingSchema, {
    id: row.id,
    orgId: row.orgId,
    title: row.title,
    summary: row.summary,
    tags: row.tags,
    url: row.url,
    createdBy: row.createdBy,
    createdAt: timestampFromDate(row.createdAt),
  });
}

export function createListingService(db: Database): ServiceImpl<typeof DiscoService> {
  const readListing = createListingReader(db);
  return {
    async createListing(req, ctx) {
      const em = db.em();
      const row = em.create(Listing, {
        id: crypto.randomUUID(),
        orgId: req.orgId,
        title: req.title,
        summary: req.summary,
        tags: req.tags,
        url: req.url,
        createdBy: requirePrincipal(ctx).accountId,
        createdAt: new Date(),
      });
      await em.flush();
      return { listing: toMessage(row) };
    },
    async getListing(req) {
      const row = await readListing(req.listingId);
      if (!row) throw notFound("listing", req.listingId);
      return { listing: toMessage(row) };
    },
    async listListings(req) {
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown> = { ...afterCursor(decodeCursor(req.pageToken)) };
      if (req.orgId) where.orgId = req.orgId;
      if (req.tag) where.tags = { $contains: [req.tag] };
      if (req.query) {
        const like = ilikePattern(req.query);
        where.$and = [{ $or: [{ title: { $ilike: like } }, { summary: { $ilike: like } }] }];
      }
      const rows = await db.em().find(Listing, where, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { listings: page.items.map(toMessage), nextPageToken: page.nextPageToken };
    },
    async deleteListing(req) {
      const em = db.em();
      // Scoped by org so an admin of one org cannot delete another org's listing by id.
      const deleted = await em.nativeDelete(Listing, { id: req.listingId, orgId: req.orgId });
      if (deleted === 0) throw notFound("listing", req.listingId);
      return {};
    },
  };
}
