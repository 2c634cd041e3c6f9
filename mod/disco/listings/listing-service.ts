// DiscoService: thin — parse, store or query, reply. Authorization and input rules come from the proto; the
// project and place a listing names are checked against sys (listing-fields.ts).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type DiscoService, type Listing as ListingMessage, ListingSchema } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { bearerOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import { notFound } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { ilikePattern } from "../../../sys/core/sql.js";
import type { DiscoDeps } from "../deps.js";
import { Listing } from "./entities.js";
import { placementOf } from "./listing-fields.js";
import { createListingReader, type ListingRow } from "./listing-reader.js";

function toMessage(row: ListingRow): ListingMessage {
  return create(ListingSchema, {
    id: row.id,
    orgId: row.orgId,
    title: row.title,
    summary: row.summary,
    tags: row.tags,
    url: row.url,
    projectId: row.projectId ?? "",
    category: row.category ?? "",
    placeId: row.placeId ?? "",
    countryId: row.countryId ?? "",
    createdBy: row.createdBy,
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

export function createListingService(deps: Pick<DiscoDeps, "db" | "directory" | "timespace">): ServiceImpl<typeof DiscoService> {
  const { db } = deps;
  const readListing = createListingReader(db);
  return {
    async createListing(req, ctx) {
      const placement = await placementOf(deps, req, bearerOf(ctx));
      const em = db.em();
      const now = new Date();
      const row = em.create(Listing, {
        id: crypto.randomUUID(),
        orgId: req.orgId,
        title: req.title,
        summary: req.summary,
        tags: req.tags,
        url: req.url,
        ...placement,
        createdBy: requirePrincipal(ctx).accountId,
        createdAt: now,
        updatedAt: now,
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
      if (req.projectId) where.projectId = req.projectId;
      if (req.category) where.category = req.category;
      if (req.tag) where.tags = { $contains: [req.tag] };
      if (req.query) {
        const like = ilikePattern(req.query);
        where.$and = [{ $or: [{ title: { $ilike: like } }, { summary: { $ilike: like } }] }];
      }
      const rows = await db.em().find(Listing, where, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { listings: page.items.map(toMessage), nextPageToken: page.nextPageToken };
    },
    async updateListing(req, ctx) {
      const placement = await placementOf(deps, req, bearerOf(ctx));
      const em = db.em();
      // Scoped by org so an admin of one org cannot touch another org's listing by id.
      const row = await em.findOne(Listing, { id: req.listingId, orgId: req.orgId });
      if (!row) throw notFound("listing", req.listingId);
      em.assign(row, { title: req.title, summary: req.summary, tags: req.tags, url: req.url, ...placement, updatedAt: new Date() });
      await em.flush();
      return { listing: toMessage(row) };
    },
    async deleteListing(req) {
      const em = db.em();
      const deleted = await em.nativeDelete(Listing, { id: req.listingId, orgId: req.orgId });
      if (deleted === 0) throw notFound("listing", req.listingId);
      return {};
    },
  };
}
