// List pagination shared by every List RPC of every tier: page_size 0 means the default, a hard maximum, and an
// opaque keyset cursor so pages stay stable while rows are inserted.
//
// Page tokens are validated, not signed. A token only names a position in a list's own order — a timestamp and
// a uuid, or a uuid alone — which a caller could reach by paging anyway, and every page applies the caller's
// permission filters again, so there is nothing to forge: no key to share between replicas, and tokens keep
// working across restarts and replicas. What must never happen is a crafted token reaching SQL as something the
// database refuses (a non-uuid id, an out-of-range time): every token is decoded here, strictly, and anything
// that is not exactly what `encode*` produces is INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN.
import { invalidArgument } from "./errors.js";
import { isUuid } from "./sql.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Longer than any token `encode*` produces (≈ 100 characters); the proto caps page_token at 512 anyway. */
const MAX_TOKEN_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// Exactly what Date#toISOString produces for years 1000–9999: no extended years, nothing PostgreSQL refuses.
const ISO_TIME = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function pageSizeOf(requested: number, max = MAX_PAGE_SIZE): number {
  if (!requested || requested <= 0) return Math.min(DEFAULT_PAGE_SIZE, max);
  return Math.min(requested, max);
}

export const invalidPageToken = (field = "page_token") => invalidArgument(field, "not a page token returned by this list", "INVALID_PAGE_TOKEN");

/** The token's text, or an INVALID_PAGE_TOKEN error for anything that is not short, well-formed base64url. */
function textOf(token: string, field: string): string {
  if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) throw invalidPageToken(field);
  const text = Buffer.from(token, "base64url").toString("utf8");
  // Re-encoding must give the token back: no padding tricks, no invalid UTF-8 silently replaced.
  if (Buffer.from(text, "utf8").toString("base64url") !== token) throw invalidPageToken(field);
  return text;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString("base64url");
}

/** Decodes a (time, uuid) page token; "" means the first page. */
export function decodeCursor(token: string, field = "page_token"): Cursor | undefined {
  if (!token) return undefined;
  const text = textOf(token, field);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidPageToken(field);
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidPageToken(field);
  const [time, id] = value as unknown[];
  if (typeof time !== "string" || typeof id !== "string" || !ISO_TIME.test(time) || !isUuid(id)) throw invalidPageToken(field);
  const createdAt = new Date(time);
  // Rejects impossible dates that the pattern lets through (2026-02-31T…, 25:00).
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) throw invalidPageToken(field);
  return { createdAt, id };
}

/** A token for lists ordered by a uuid alone (a poll's ballots by voter). */
export function encodeIdCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

/** Decodes an `encodeIdCursor` token; "" means the first page. */
export function decodeIdCursor(token: string, field = "page_token"): string | undefined {
  if (!token) return undefined;
  const id = textOf(token, field);
  if (!isUuid(id)) throw invalidPageToken(field);
  return id;
}

/**
 * A MikroORM filter selecting rows after the cursor in (createdAt, id) order; combine with
 * orderBy { createdAt: "asc", id: "asc" } and limit size + 1.
 */
export function afterCursor(cursor: Cursor | undefined): Record<string, unknown> {
  if (!cursor) return {};
  return { $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }] };
}

/**
 * Splits the size + 1 rows fetched into the page and the next token. Rows keyed other than by (createdAt, id)
 * say what their cursor is.
 */
export function pageOf<T extends Cursor>(rows: T[], size: number): { items: T[]; nextPageToken: string };
export function pageOf<T>(rows: T[], size: number, cursorOf: (row: T) => Cursor): { items: T[]; nextPageToken: string };
export function pageOf<T>(rows: T[], size: number, cursorOf = (row: T) => row as unknown as Cursor): { items: T[]; nextPageToken: string } {
  if (rows.length <= size) return { items: rows, nextPageToken: "" };
  const items = rows.slice(0, size);
  const last = cursorOf(items[items.length - 1]!);
  return { items, nextPageToken: encodeCursor({ createdAt: last.createdAt, id: last.id }) };
}
