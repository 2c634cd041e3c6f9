// The claim token of an anonymous answer set: 256 random bits, shown once; only its SHA-256 is stored, so a
// database reader cannot claim anyone's answers.
import { createHash, randomBytes } from "node:crypto";

const PREFIX = "pdc_";

export function newClaimToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: claimTokenHash(token) };
}

/** The stored hash of a token (hex, 64 characters); whitespace around a pasted token is ignored. */
export function claimTokenHash(token: string): string {
  return createHash("sha256").update(token.trim()).digest("hex");
}
