// List pagination shared by every List RPC: page_size 0 means the default, a hard maximum, and an opaque keyset
// cursor on (created_at, id) so pages stay stable while rows are inserted.
import { invalidArgument } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function pageSizeOf(requested: number, max = MAX_PAGE_SIZE): number {
  if (!requested || requested <= 0) return Math.min(DEFAULT_PAGE_SIZE, max);
  return Math.min(requested, max);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString("base64url");
}

/** Decodes a page token; "" means the first page. Anything else that does not parse is INVALID_PAGE_TOKEN. */
export function decodeCursor(token: string, field = "page_token"): Cursor | undefined {
  if (!token) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw invalidArgument(field, "not a page token returned by this list", "INVALID_PAGE_TOKEN");
}

/**
 * A MikroORM filter selecting rows after the cursor in (createdAt, id) order; combine with
 * orderBy { createdAt: "asc", id: "asc" } and limit size + 1.
 */
export function afterCursor(cursor: Cursor | undefined): Record<string, unknown> {
  if (!cursor) return {};
  return { $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }] };
}

/** Splits the size + 1 rows fetched into the page and the next token. */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], size: number): { items: T[]; nextPageToken: string } {
  if (rows.length <= size) return { items: rows, nextPageToken: "" };
  const items = rows.slice(0, size);
  const last = items[items.length - 1]!;
  return { items, nextPageToken: encodeCursor({ createdAt: last.createdAt, id: last.id }) };
}
