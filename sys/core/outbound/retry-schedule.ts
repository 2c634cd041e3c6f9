// When to try an outgoing delivery again. Waits grow exponentially with full jitter (a random wait between 0
// and the ceiling, as in AWS's "Exponential Backoff and Jitter"), so many receivers coming back at once are not
// hit by every queued delivery in the same second. A receiver's Retry-After is a floor, never shortened.
export const BASE_DELAY_MS = 5_000;
export const MAX_DELAY_MS = 60 * 60 * 1000;
// A Retry-After beyond this is treated as this: a receiver cannot park a delivery for a week.
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export type DeliveryOutcome = "delivered" | "retry" | "give_up";

export interface Classification {
  outcome: DeliveryOutcome;
  /** The receiver's Retry-After, in ms from now (only with "retry"). */
  retryAfterMs?: number;
}

/** Wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed: random in [0, min(1 h, 5 s · 2^(attempt-1))). */
export function nextAttemptDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceiling);
}

/** The wait to schedule: the backoff, but never less than what the receiver asked for. */
export function delayBeforeNextAttempt(attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  return Math.max(nextAttemptDelay(attempt, random), retryAfterMs ?? 0);
}

/**
 * What a response means for the delivery. `status` undefined: no response at all (network error, timeout),
 * worth retrying. Redirects are not followed, so a 3xx gives up: the receiver must register its new URL.
 */
export function classifyResponse(status: number | undefined, headers?: Headers, now: Date = new Date()): Classification {
  if (status === undefined) return { outcome: "retry" };
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers?.get("retry-after"), now);
    return retryAfterMs === undefined ? { outcome: "retry" } : { outcome: "retry", retryAfterMs };
  }
  return { outcome: "give_up" };
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now.getTime();
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
