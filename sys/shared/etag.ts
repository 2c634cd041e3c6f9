// Optimistic concurrency on the wire: a resource's etag is its row's version, and a write naming an older one is
// refused instead of overwriting what the writer never saw.
import { aborted } from "../core/errors.js";

export const etagOf = (row: { version: number }) => `v${row.version}`;

/** Refuses a lost update: a non-empty etag must name the stored version. */
export function checkEtag(row: { version: number }, etag: string): void {
  if (etag && etag !== etagOf(row)) throw aborted("ETAG_MISMATCH", "the resource changed since you read it; reload and retry");
}
