// Helpers for verifying and reading providers' webhook calls.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { InboundRequest } from "./define-provider.js";

/** A request header by name, whatever case the host kept it in. */
export function headerOf(req: Pick<InboundRequest, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const direct = req.headers[wanted];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Constant-time comparison of two strings (false for different lengths without leaking where they differ). */
export function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (typeof given !== "string" || typeof expected !== "string" || expected === "") return false;
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256=<hex>` HMAC of the raw body, the scheme of the email inbound-parse and webhook providers. */
export function hmacSha256Hex(secret: string, body: Buffer | string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** Parses an `application/x-www-form-urlencoded` body into its fields (the last value of a repeated field wins). */
export function formFields(rawBody: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
}

/** The raw body as a JSON object, or an error naming what is wrong. */
export function jsonObjectBody(rawBody: Buffer): Record<string, unknown> {
  const parsed = JSON.parse(rawBody.toString("utf8")) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("body is not a JSON object");
  return parsed as Record<string, unknown>;
}
