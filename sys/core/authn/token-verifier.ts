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

export function createTokenVerifier(getKey: JWTVerifyGetKey, revocations?: RevocationList): TokenVerifier {
  // Verified tokens are cached until they expire: verifying EdDSA costs more than the rest of a small call.
  const cache = new Map<string, { principal: Principal; exp: number; iat: number }>();
  const admit = (entry: { principal: Principal; iat: number }) => {
    const reason = revocations?.reasonFor(entry.principal, entry.iat);
    if (reason) throw unauthenticated(reason, REVOKED_MESSAGES[reason] ?? "this token was revoked");
    return entry.principal;
  };
  return {
    async verify(token) {
      const now = Date.now() / 1000;
      const hit = cache.get(token);
      if (hit && hit.exp > now) return admit(hit);
      const { payload } = await jwtVerify(token, getKey, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ["EdDSA", "ES256"] });
      const principal: Principal = {
        accountId: String(payload.sub),
        kind: payload.knd === "service" ? "service" : "person",
        sessionId: typeof payload.sid === "string" ? payload.sid : "",
      };
      // Issued to an account whose email was not verified yet: metered like an anonymous caller too.
      if (payload.unv === true) principal.unverified = true;
      const entry = { principal, exp: payload.exp ?? now, iat: payload.iat ?? 0 };
      if (cache.size > 10000) cache.clear();
      cache.set(token, entry);
      return admit(entry);
    },
  };
}

export function createRemoteTokenVerifier(sysUrl: string): TokenVerifier {
  return createTokenVerifier(createRemoteJWKSet(new URL("/.well-known/jwks.json", sysUrl), { cooldownDuration: 5000 }));
}
