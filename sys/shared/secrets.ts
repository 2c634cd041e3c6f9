// Opaque one-time secrets (refresh, verification, reset, setup and invite tokens, API-key secrets): 32 random
// bytes, stored only as sha256 — they carry 256 bits of entropy, so a slow hash would add nothing.
import { createHash, randomBytes } from "node:crypto";

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
