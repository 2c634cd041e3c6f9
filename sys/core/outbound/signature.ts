// The signature on every delivery Polity sends (process callbacks, subscription events), so a receiver can
// tell Polity's requests from anyone else's and refuse replays:
//
//   Polity-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// The receiver recomputes the HMAC over the raw body bytes exactly as received (before any JSON parsing), compares
// it in constant time, and refuses a timestamp more than a few minutes from its own clock. While a secret is
// being rotated the header carries one v1= entry per secret; any one of them matching is enough. Same scheme as
// Stripe's, so existing verification code ports over by changing the header name.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Polity-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

type Body = string | Uint8Array;

/** The Polity-Signature header value for `body`, signed with each of `secrets` (the new one first when rotating). */
export function signBody(secret: string | string[], body: Body, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  const entries = (Array.isArray(secret) ? secret : [secret]).map((s) => `v1=${hmacHex(s, t, body)}`);
  return [`t=${t}`, ...entries].join(",");
}

export interface VerifyOptions {
  /** How far the signature's timestamp may be from `now`, either way. */
  toleranceSeconds?: number;
  now?: Date;
}

/** Whether `header` (a Polity-Signature value) signs `body` with `secret`, within the time tolerance. */
export function verifySignature(secret: string, header: string | null | undefined, body: Body, { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = new Date() }: VerifyOptions = {}): boolean {
  if (!header) return false;
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && /^\d+$/.test(value ?? "")) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value ?? "")) candidates.push(value.toLowerCase());
  }
  if (t === undefined || candidates.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), "hex");
  // Every candidate is compared, so the time taken does not tell which one matched.
  let matched = false;
  for (const candidate of candidates) matched = timingSafeEqual(expected, Buffer.from(candidate, "hex")) || matched;
  return matched;
}

function hmacHex(secret: string, t: number, body: Body): string {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
}
