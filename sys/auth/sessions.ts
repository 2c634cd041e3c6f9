// Sessions are refresh-token families. Every refresh rotates the token; a token presented a second time means
// it leaked (or a client raced itself), and the whole family is revoked so the thief's copy dies with it.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { randomUUID } from "node:crypto";
import { TokenPairSchema, type TokenPair } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import type { EntityManager } from "../core/db.js";
import { permissionDenied, unauthenticated } from "../core/errors.js";
import type { SysContext } from "../core/sys-context.js";
import { Account } from "../account/index.js";
import { RefreshToken, Session } from "./entities.js";
import type { RevocationSync } from "./revocations.js";
import { randomToken, sha256 } from "../shared/secrets.js";

const DAY_MS = 86_400_000;

export interface ClientInfo {
  clientName?: string;
  clientAddress?: string;
}

/** Opens a session for the account and returns its first token pair. */
export async function signIn(ctx: SysContext, em: EntityManager, account: Account, client: ClientInfo): Promise<TokenPair> {
  const now = new Date();
  const session = em.create(Session, {
    id: randomUUID(),
    accountId: account.id,
    clientName: (client.clientName ?? "").slice(0, 100),
    clientAddress: (client.clientAddress ?? "").slice(0, 64),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + ctx.config.refreshTokenTtlDays * DAY_MS),
  });
  const refresh = newRefreshToken(em, session.id);
  await em.flush();
  return tokenPair(ctx, account, session, refresh);
}

function newRefreshToken(em: EntityManager, sessionId: string): string {
  const token = randomToken();
  em.create(RefreshToken, { id: randomUUID(), sessionId, tokenHash: sha256(token), createdAt: new Date() });
  return token;
}

async function tokenPair(ctx: SysContext, account: Account, session: Session | undefined, refreshToken: string): Promise<TokenPair> {
  const unverified = account.kind === "person" && !account.emailVerifiedAt;
  const access = await ctx.tokens.issueAccessToken({ accountId: account.id, kind: account.kind, sessionId: session?.id ?? "", unverified });
  return create(TokenPairSchema, {
    accessToken: access.token,
    accessTokenExpiresAt: timestampFromDate(access.expiresAt),
    refreshToken,
    refreshTokenExpiresAt: session ? timestampFromDate(session.expiresAt) : undefined,
    accountId: account.id,
  });
}

/** An access token without a session (API-key exchange): the script keeps its key instead of a refresh token. */
export function accessOnly(ctx: SysContext, account: Account): Promise<TokenPair> {
  return tokenPair(ctx, account, undefined, "");
}

/** Rotates a refresh token. Reuse of a rotated token revokes the family and fails with REFRESH_TOKEN_REUSED. */
export async function rotate(ctx: SysContext, em: EntityManager, presented: string): Promise<TokenPair> {
  const hash = sha256(presented);
  const row = await em.findOne(RefreshToken, { tokenHash: hash });
  if (!row) throw unauthenticated("INVALID_REFRESH_TOKEN", "refresh token not recognised; sign in again");
  const session = await em.findOne(Session, { id: row.sessionId });
  if (!session || session.revokedAt) throw unauthenticated("SESSION_REVOKED", "session was revoked; sign in again");
  if (session.expiresAt.getTime() <= Date.now()) throw unauthenticated("SESSION_EXPIRED", "session expired; sign in again");
  // Atomic claim: of two concurrent presentations exactly one wins, the other is reuse.
  const claimed = await em.nativeUpdate(RefreshToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
  if (claimed !== 1) {
    await ctx.tokens.revokeSessions(em, { sessionId: session.id }, "refresh_token_reused");
    throw unauthenticated("REFRESH_TOKEN_REUSED", "refresh token was already used; the session is revoked, sign in again");
  }
  const account = await em.findOne(Account, { id: session.accountId });
  if (!account) throw unauthenticated("UNKNOWN_PRINCIPAL", "account no longer exists");
  if (account.disabledAt) throw permissionDenied("ACCOUNT_DISABLED", "this account is disabled");
  const now = new Date();
  session.lastUsedAt = now;
  // Sliding lifetime: an active session stays signed in, an idle one expires.
  session.expiresAt = new Date(now.getTime() + ctx.config.refreshTokenTtlDays * DAY_MS);
  const refresh = newRefreshToken(em, session.id);
  await em.flush();
  return tokenPair(ctx, account, session, refresh);
}

/** The session a refresh token belongs to, if the token is known. */
export async function sessionOfToken(em: EntityManager, presented: string): Promise<Session | null> {
  const row = await em.findOne(RefreshToken, { tokenHash: sha256(presented) });
  return row ? em.findOne(Session, { id: row.sessionId }) : null;
}

export interface SessionFilter {
  sessionId?: string;
  accountId?: string;
  exceptSessionId?: string;
}

/**
 * Revokes active sessions matching the filter; `exceptSessionId` keeps the caller's own. Their access tokens are
 * refused by sys from the commit on (every replica: revocations.ts). A filter of a whole account (no session,
 * no exception: disabling, password reset) also refuses the account's session-less API-key tokens. Callers go
 * through SysContext.tokens.revokeSessions, which passes its host's revocation sync.
 */
export async function revokeSessions(sync: Pick<RevocationSync, "announce">, em: EntityManager, filter: SessionFilter, reason: string): Promise<number> {
  const where: Record<string, unknown> = { revokedAt: null };
  if (filter.sessionId) where.id = filter.sessionId;
  if (filter.accountId) where.accountId = filter.accountId;
  if (filter.exceptSessionId) where.id = { ...(filter.sessionId ? { $eq: filter.sessionId } : {}), $ne: filter.exceptSessionId };
  const wholeAccount = filter.accountId && !filter.sessionId && !filter.exceptSessionId ? filter.accountId : undefined;
  const ids = (await em.find(Session, where, { fields: ["id"], disableIdentityMap: true })).map((s) => s.id);
  if (ids.length === 0 && !wholeAccount) return 0;
  const at = new Date();
  const revoked = ids.length === 0 ? 0 : await em.nativeUpdate(Session, { id: { $in: ids }, revokedAt: null }, { revokedAt: at, revokedReason: reason });
  await sync.announce(em, { sessionIds: ids, accountId: wholeAccount, at });
  return revoked;
}

export async function activeSessions(em: EntityManager, accountId: string): Promise<Session[]> {
  return em.find(Session, { accountId, revokedAt: null, expiresAt: { $gt: new Date() } }, { orderBy: { lastUsedAt: "desc" } });
}
