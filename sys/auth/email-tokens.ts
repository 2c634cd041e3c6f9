// One-time tokens sent by email (verify, reset) or printed at first start (setup): stored as sha256, single use.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "../core/db.js";
import { unauthenticated } from "../core/errors.js";
import { EmailToken } from "./entities.js";
import { randomToken, sha256 } from "./secrets.js";

export type EmailTokenPurpose = "verify" | "reset" | "setup";

export const TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify: 48 * 3_600_000,
  reset: 3_600_000,
  setup: 7 * 24 * 3_600_000,
};

/** Creates a token (flushed by the caller's flush) and returns the secret to send. */
export function issueEmailToken(em: EntityManager, accountId: string | null, purpose: EmailTokenPurpose): string {
  const token = randomToken();
  const now = new Date();
  em.create(EmailToken, { id: randomUUID(), accountId, purpose, tokenHash: sha256(token), createdAt: now, expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[purpose]) });
  return token;
}

/** Marks the token used and returns its row; an unknown, used, expired or wrong-purpose token is INVALID_TOKEN. */
export async function consumeEmailToken(em: EntityManager, token: string, purpose: EmailTokenPurpose): Promise<EmailToken> {
  const row = await em.findOne(EmailToken, { tokenHash: sha256(token), purpose });
  const invalid = () => unauthenticated("INVALID_TOKEN", `this ${purpose} link is invalid, used or expired`);
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) throw invalid();
  // Atomic so two clicks cannot both succeed.
  const claimed = await em.nativeUpdate(EmailToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
  if (claimed !== 1) throw invalid();
  return row;
}

/** Voids outstanding tokens of one purpose (a new reset link replaces the old, a new setup token too). */
export async function voidEmailTokens(em: EntityManager, accountId: string | null, purpose: EmailTokenPurpose): Promise<void> {
  await em.nativeUpdate(EmailToken, { accountId, purpose, usedAt: null }, { usedAt: new Date() });
}
