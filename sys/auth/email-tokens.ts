// One-time tokens sent by email (verify, reset) or printed at first start (setup): stored as sha256, single use.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "../core/db.js";
import { unauthenticated } from "../core/errors.js";
import { EmailToken } from "./entities.js";
import { randomToken, sha256 } from "../shared/secrets.js";

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

/**
 * The reasons of a one-time token that cannot be used, apart from an access token's INVALID_TOKEN/TOKEN_EXPIRED
 * so that clients can tell "sign in again" from "ask for a new link": an emailed link (verify, reset) is
 * INVALID_LINK_TOKEN (unknown, already used, or for another purpose) or LINK_TOKEN_EXPIRED; the setup token
 * INVALID_SETUP_TOKEN or SETUP_TOKEN_EXPIRED.
 */
export function invalidEmailToken(purpose: EmailTokenPurpose, expired = false) {
  const kind = purpose === "setup" ? "SETUP" : "LINK";
  if (expired) return unauthenticated(`${kind}_TOKEN_EXPIRED`, purpose === "setup" ? "this setup token has expired; restart polityd for a new one" : `this ${purpose} link has expired; ask for a new one`);
  return unauthenticated(`INVALID_${kind}_TOKEN`, purpose === "setup" ? "this setup token is not valid or was already used" : `this ${purpose} link is not valid or was already used`);
}

/** The token's row if it is usable now, without spending it; see invalidEmailToken for the refusals. */
export async function peekEmailToken(em: EntityManager, token: string, purpose: EmailTokenPurpose): Promise<EmailToken> {
  const row = await em.findOne(EmailToken, { tokenHash: sha256(token), purpose });
  if (!row || row.usedAt) throw invalidEmailToken(purpose);
  if (row.expiresAt.getTime() <= Date.now()) throw invalidEmailToken(purpose, true);
  return row;
}

/**
 * Marks the token used and returns its row; see invalidEmailToken for the refusals. Run it in the transaction
 * that writes what the token allows, so a transaction that fails or is retried does not use the token up.
 */
export async function consumeEmailToken(em: EntityManager, token: string, purpose: EmailTokenPurpose): Promise<EmailToken> {
  const row = await peekEmailToken(em, token, purpose);
  // Atomic so two clicks cannot both succeed.
  const claimed = await em.nativeUpdate(EmailToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
  if (claimed !== 1) throw invalidEmailToken(purpose);
  return row;
}

/** Voids outstanding tokens of one purpose (a new reset link replaces the old, a new setup token too). */
export async function voidEmailTokens(em: EntityManager, accountId: string | null, purpose: EmailTokenPurpose): Promise<void> {
  await em.nativeUpdate(EmailToken, { accountId, purpose, usedAt: null }, { usedAt: new Date() });
}
