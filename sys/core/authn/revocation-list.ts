// Access tokens are stateless JWTs, so signing out or disabling an account would leave them usable until they
// expire. sys keeps in memory what was revoked while tokens issued before it can still be alive: the ids of
// revoked sessions, and for accounts whose every credential was revoked (disabled, password reset) the time it
// happened. Checking a token is then two map lookups, no database round trip. sys/auth/revocations.ts fills the
// list from the database at start and keeps it fresh on every sys replica (PostgreSQL LISTEN/NOTIFY).
import type { Principal } from "./principal.js";

export interface RevocationList {
  /** The stable reason a verified token may no longer be used (SESSION_REVOKED, TOKEN_REVOKED), or undefined. */
  reasonFor(principal: Principal, issuedAtSeconds: number): string | undefined;
  /** Sessions revoked at `atMs`: every access token issued for them is refused. */
  revokeSessions(sessionIds: Iterable<string>, atMs: number): void;
  /** Everything of the account revoked at `atMs`: its session-less (API-key) tokens issued before are refused too. */
  revokeAccount(accountId: string, atMs: number): void;
  /** Forgets entries no live token can match any more. */
  prune(nowMs?: number): void;
  readonly size: number;
}

/** `retainMs`: how long an entry can matter — the access-token lifetime plus a margin for clock and in-flight issues. */
export function createRevocationList(retainMs: number): RevocationList {
  const sessions = new Map<string, number>();
  const accounts = new Map<string, number>();
  return {
    reasonFor(principal, issuedAtSeconds) {
      if (principal.sessionId) return sessions.has(principal.sessionId) ? "SESSION_REVOKED" : undefined;
      // Only session-less tokens are judged by time: `iat` has whole seconds, and a person signing in again
      // in the very second of a password reset must not be refused. Their sessions are listed one by one.
      const at = accounts.get(principal.accountId);
      return at !== undefined && issuedAtSeconds * 1000 <= at ? "TOKEN_REVOKED" : undefined;
    },
    revokeSessions(sessionIds, atMs) {
      for (const id of sessionIds) sessions.set(id, Math.max(atMs, sessions.get(id) ?? 0));
    },
    revokeAccount(accountId, atMs) {
      accounts.set(accountId, Math.max(atMs, accounts.get(accountId) ?? 0));
    },
    prune(nowMs = Date.now()) {
      for (const map of [sessions, accounts]) {
        for (const [key, at] of map) if (at + retainMs < nowMs) map.delete(key);
      }
    },
    get size() {
      return sessions.size + accounts.size;
    },
  };
}
