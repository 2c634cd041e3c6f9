// Verifies access tokens on either tier: in sys against the local key store, in a mod-only process against
// sys's published JWKS (fetched once, refreshed when an unknown kid shows up, which is how rotation works).
// In sys a revocation list refuses tokens of revoked sessions at once; a mod-only process has none and learns
// of revocation through sys's answer to its authorization question (remote-authorization.ts).
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { unauthenticated } from "../errors.js";
import type { Principal } from "./principal.js";
import type { RevocationList } from "./revocation-list.js";

export const TOKEN_ISSUER = "polity";
export const TOKEN_AUDIENCE = "polity";

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

const REVOKED_MESSAGES: Record<string, string> = {
  SESSION_REVOKED: "this session was signed out or revoked; sign in again",
  TOKEN_REVOKED: "this token was revoked; get a new one",
};

/**
 * Whether the key `kid` still verifies: false once it was withdrawn (`polityd keys rotate --withdraw`). Asked for
 * tokens served from the cache, which were verified before; it may answer from a key set up to a minute old.
 */
export type KeyInUse = (kid: string) => boolean;

interface Verified {
  principal: Principal;
  exp: number;
  iat: number;
  kid: string;
}

export function createTokenVerifier(getKey: JWTVerifyGetKey, revocations?: RevocationList, keyInUse?: KeyInUse): TokenVerifier {
  // Verified tokens are cached until they expire: verifying EdDSA costs more than the rest of a small call.
  const cache = new Map<string, Verified>();
  const admit = (entry: Verified) => {
    const reason = revocations?.reasonFor(entry.principal, entry.iat);
    if (reason) throw unauthenticated(reason, REVOKED_MESSAGES[reason] ?? "this token was revoked");
    return entry.principal;
  };
  return {
    async verify(token) {
      const now = Date.now() / 1000;
      const hit = cache.get(token);
      if (hit && hit.exp > now) {
        if (!keyInUse || keyInUse(hit.kid)) return admit(hit);
        cache.delete(token);
        throw unauthenticated("SIGNING_KEY_WITHDRAWN", "the key that signed this token was withdrawn; get a new token");
      }
      const { payload, protectedHeader } = await jwtVerify(token, getKey, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ["EdDSA", "ES256"] });
      const principal: Principal = {
        accountId: String(payload.sub),
        kind: payload.knd === "service" ? "service" : "person",
        sessionId: typeof payload.sid === "string" ? payload.sid : "",
      };
      // Issued to an account whose email was not verified yet: metered like an anonymous caller too.
      if (payload.unv === true) principal.unverified = true;
      const entry = { principal, exp: payload.exp ?? now, iat: payload.iat ?? 0, kid: protectedHeader.kid ?? "" };
      if (cache.size > 10000) cache.clear();
      cache.set(token, entry);
      return admit(entry);
    },
  };
}

export function createRemoteTokenVerifier(sysUrl: string): TokenVerifier {
  // Refetched every minute, as sys replicas reload their keys: a withdrawn key stops verifying here as soon.
  const keys = createRemoteJWKSet(new URL("/.well-known/jwks.json", sysUrl), { cooldownDuration: 5000, cacheMaxAge: 60_000 });
  const keyInUse: KeyInUse = (kid) => {
    if (!keys.fresh && !keys.reloading) keys.reload().catch(() => undefined); // the next verification says why
    const set = keys.jwks();
    return !set || set.keys.some((key) => key.kid === kid);
  };
  return createTokenVerifier(keys, undefined, keyInUse);
}
