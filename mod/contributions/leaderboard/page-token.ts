// The leaderboard's page token: the last row's (points, account id) in the board's order. Decoded strictly, as
// every page token: anything encode did not produce is INVALID_PAGE_TOKEN.
import { invalidPageToken } from "../../../sys/core/pagination.js";
import { isUuid } from "../../../sys/core/sql.js";

export interface BoardCursor {
  points: number;
  accountId: string;
}

export function encodeBoardCursor(cursor: BoardCursor): string {
  return Buffer.from(JSON.stringify([cursor.points, cursor.accountId])).toString("base64url");
}

export function decodeBoardCursor(token: string): BoardCursor | undefined {
  if (!token) return undefined;
  if (token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalidPageToken();
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (Buffer.from(text, "utf8").toString("base64url") !== token) throw invalidPageToken();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidPageToken();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidPageToken();
  const [points, accountId] = value as unknown[];
  if (!Number.isSafeInteger(points) || Math.abs(points as number) > 2 ** 31 || typeof accountId !== "string" || !isUuid(accountId)) throw invalidPageToken();
  return { points: points as number, accountId };
}
