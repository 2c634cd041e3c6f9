// Verifies access tokens on either tier: in sys against the local key store, in a mod-only process against
// sys's published JWKS (fetched once, refreshed when an unknown kid shows up, which is how rotation works).
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Principal } from "./principal.js";

export const TOKEN_ISSUER = "polity";
export const TOKEN_AUDIENCE = "polity";

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export function createTokenVerifier(getKey: JWTVerifyGetKey): TokenVerifier {
  // Verified tokens are cached until they expire: verifying EdDSA costs more than the rest of a small call.
  const cache = new Map<string, { principal: Principal; exp: number }>();
  return {
    async verify(token) {
      const now = Date.now() / 1000;
      const hit = cache.get(token);
      if (hit && hit.exp > now) return hit.principal;
      const { payload } = await jwtVerify(token, getKey, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ["EdDSA", "ES256"] });
      const principal: Principal = {
        accountId: String(payload.sub),
        kind: payload.knd === "service" ? "service" : "person",
        sessionId: typeof payload.sid === "string" ? payload.sid : "",
      };
      if (cache.size > 10000) cache.clear();
      cache.set(token, { principal, exp: payload.exp ?? now });
      return principal;
    },
  };
}

export function createRemoteTokenVerifier(sysUrl: string): TokenVerifier {
  return createTokenVerifier(createRemoteJWKSet(new URL("/.well-known/jwks.json", sysUrl), { cooldownDuration: 5000 }));
}
