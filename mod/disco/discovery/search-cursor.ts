// Search pages are ordered by one number (distance, or newest first as a negated time) and then by id, so a page
// token is that pair. Like every page token it is validated, not signed (sys/core/pagination.ts says why): it
// only names a position a caller could reach by paging, and anything not exactly what encode produced is refused.
import { invalidPageToken } from "../../../sys/core/pagination.js";
import { isUuid } from "../../../sys/core/sql.js";

export interface SearchCursor {
  rank: number;
  id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]{1,256}$/;

export function encodeSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.rank, cursor.id])).toString("base64url");
}

export function decodeSearchCursor(token: string): SearchCursor | undefined {
  if (!token) return undefined;
  if (!BASE64URL.test(token)) throw invalidPageToken();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidPageToken();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidPageToken();
  const [rank, id] = value as unknown[];
  if (typeof rank !== "number" || !Number.isFinite(rank) || typeof id !== "string" || !isUuid(id)) throw invalidPageToken();
  const cursor = { rank, id: id.toLowerCase() };
  if (encodeSearchCursor(cursor) !== token) throw invalidPageToken();
  return cursor;
}

/** Whether `item` comes after the cursor in (rank, id) order. */
export function isAfter(item: SearchCursor, cursor: SearchCursor | undefined): boolean {
  if (!cursor) return true;
  return item.rank > cursor.rank || (item.rank === cursor.rank && item.id > cursor.id);
}
