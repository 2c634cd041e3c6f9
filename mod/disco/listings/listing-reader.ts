// GetListing's read: one indexed lookup per call on mod's hot path, so it skips the ORM's hydration and shares
// one prepared statement with the other reads of the same event-loop turn (sys/core/sql.ts).
import type { Database } from "../../../sys/core/db.js";
import { createRowReader, dateOf } from "../../../sys/core/sql.js";
import { Listing } from "./entities.js";

/** Exactly the fields DiscoService puts in a Listing message. */
export interface ListingRow {
  id: string;
  orgId: string;
  title: string;
  summary: string;
  tags: string[];
  url: string;
  projectId?: string | null;
  category?: string | null;
  placeId?: string | null;
  countryId?: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

type RawListing = Omit<ListingRow, "createdAt" | "updatedAt"> & { createdAt: Date | string; updatedAt: Date | string };

export function createListingReader(db: Pick<Database, "em">): (id: string) => Promise<ListingRow | undefined> {
  return createRowReader<RawListing, ListingRow>(db, {
    name: "get_listing",
    entity: Listing,
    columns: `id, org_id as "orgId", title, summary, tags, url, project_id as "projectId", category, place_id as "placeId", country_id as "countryId",
      created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`,
    toRow: (r) => ({ ...r, createdAt: dateOf(r.createdAt), updatedAt: dateOf(r.updatedAt) }),
  });
}
