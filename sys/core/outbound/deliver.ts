// One attempt at an outgoing delivery: a signed JSON POST whose result is an outcome, never an exception, so
// the queue that calls it can record and schedule without guarding every failure mode itself.
import { reasonOf } from "../errors.js";
import { classifyResponse, type DeliveryOutcome } from "./retry-schedule.js";
import type { FetchLike } from "./safe-fetch.js";
import { SIGNATURE_HEADER, signBody } from "./signature.js";

export const USER_AGENT = "Polity-Webhook/1";
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
// Enough of an error page to show in a delivery log; the rest is not read.
export const RESPONSE_EXCERPT_BYTES = 4096;

export interface DeliveryRequest {
  /** Use a safe fetch (createSafeFetch), so the receiver's URL cannot point inside the server's network. */
  fetch: FetchLike;
  url: string;
  /** The raw JSON text: signed and sent byte for byte. */
  body: string;
  /** Signing secret(s): several while one is being rotated. */
  secret: string | string[];
  /** Extra headers (e.g. an event id); cannot replace the content type, signature or user agent. */
  headers?: Record<string, string>;
  now?: Date;
  timeoutMs?: number;
}

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  status?: number;
  /** Why there was no usable response: a network error, a timeout, a refused destination. */
  error?: string;
  retryAfterMs?: number;
  /** The start of the response body, for the delivery log. */
  responseExcerpt?: string;
}

export async function deliverOnce({ fetch, url, body, secret, headers = {}, now = new Date(), timeoutMs = DEFAULT_DELIVERY_TIMEOUT_MS }: DeliveryRequest): Promise<DeliveryResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  let sent: Headers;
  try {
    // Set last and case-insensitively, so a caller's "Content-Type" cannot sit beside ours.
    sent = new Headers(headers);
    sent.set("content-type", "application/json");
    sent.set("user-agent", USER_AGENT);
    sent.set(SIGNATURE_HEADER, signBody(secret, body, now));
  } catch (error) {
    // A header value no HTTP request can carry: every attempt would fail the same way.
    return { outcome: "give_up", error: describe(error) };
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: sent,
      body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return failure(error);
  }
  const { outcome, retryAfterMs } = classifyResponse(response.status, response.headers, now);
  const responseExcerpt = await readExcerpt(response, signal);
  return {
    outcome,
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(responseExcerpt ? { responseExcerpt } : {}),
  };
}

function failure(error: unknown): DeliveryResult {
  // A refused destination or a URL that cannot be parsed will not get better by waiting.
  const permanent = reasonOf(error) === "DESTINATION_NOT_ALLOWED" || error instanceof TypeError && /invalid url/i.test(error.message);
  return { outcome: permanent ? "give_up" : "retry", error: describe(error) };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "timed out";
  // undici says "fetch failed" and keeps the useful part (ECONNREFUSED, a TLS error) in the cause.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ? `${code} ` : ""}${cause.message}`;
  }
  return error.message;
}

async function readExcerpt(response: Response, signal: AbortSignal): Promise<string | undefined> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short or timed out: what arrived is still worth showing, and the outcome stands.
  } finally {
    reader.cancel().catch(() => {});
  }
  if (size === 0) return undefined;
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
}
