// Helpers for providers that speak HTTP: Retry-After read as seconds or an HTTP date, and a failed response turned
// into the failure class the delivery loop acts on (429 and 5xx transient, other 4xx permanent).
import { parseRetryAfter as parseRetryAfterHeader } from "../../../../sys/core/outbound/retry-schedule.js";
import { permanentFailure, transientFailure } from "./failures.js";

/** Retry-After (delta-seconds or an HTTP date) in ms from `now`, capped at a day; undefined when absent or unreadable. */
export const parseRetryAfter = parseRetryAfterHeader;

/** Seconds (as JSON APIs such as Telegram's and Discord's give them) in milliseconds. */
export function secondsToMs(seconds: unknown): number | undefined {
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

/** Whether an HTTP status is worth retrying on the same provider. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status === 425 || status >= 500;
}

/**
 * The failure a non-2xx response stands for. `detail` (the provider's own error text) goes into the reason;
 * `retryAfterMs` overrides the Retry-After header (for providers that put it in the body).
 */
export function failureFromResponse(response: Response, detail = "", options: { retryAfterMs?: number; now?: Date } = {}): Error {
  const reason = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${detail ? `: ${detail}` : ""}`;
  if (!isTransientStatus(response.status)) return permanentFailure(reason);
  const retryAfterMs = options.retryAfterMs ?? parseRetryAfter(response.headers.get("retry-after"), options.now);
  return transientFailure(reason, { retryAfterMs });
}

// Provider answers are small; a longer body is an error page or worse, and is not read to its end.
const MAX_ANSWER_BYTES = 1 << 20;

/** The body as JSON, or undefined when it is not JSON (a proxy's HTML error page, an empty or oversized body). */
export async function readJsonBody(response: Response): Promise<unknown> {
  const text = await readBounded(response, MAX_ANSWER_BYTES);
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) return undefined;
      chunks.push(value);
    }
  } catch {
    return undefined;
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Short text of an unknown body for failure reasons (never the whole page). */
export function describeBody(body: unknown): string {
  if (body === undefined) return "";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
