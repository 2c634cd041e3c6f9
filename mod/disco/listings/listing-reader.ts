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
  createdBy: string;
  createdAt: Date;
}

type RawListing = Omit<ListingRow, "createdAt"> & { createdAt: Date | string };

export function createListingReader(db: Pick<Database, "em">): (id: string) => Promise<ListingRow | undefined> {
  return createRowReader<RawListing, ListingRow>(db, {
    name: "get_listing",
    entity: Listing,
    columns: `id, org_id as "orgId", title, summary, tags, url, created_by as "createdBy", created_at as "createdAt"`,
    toRow: (r) => ({ ...r, createdAt: dateOf(r.createdAt) }),
  });
}
