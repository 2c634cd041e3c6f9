import { decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER } from "../core/authn/token-verifier.js";
import { DB_KINDS, openTestDatabase, type TestDatabase } from "../shared/test-support.js";
import { SigningKey } from "./entities.js";
import { createTokenIssuer } from "./token-issuer.js";
import pino from "pino";

const logger = pino({ level: "silent" });
const DAY_MS = 86_400_000;

describe.each(DB_KINDS)("token issuer on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t.cleanup());

  it("issues EdDSA tokens with kid, iss/aud and claims that the real verifier accepts", async () => {
    const issuer = await createTokenIssuer({ db: t.db, config: t.config, logger });
    await issuer.rotateIfDue();
    const { token, expiresAt } = await issuer.issueAccessToken({ accountId: "a1", kind: "service", sessionId: "s1" });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toBeTruthy();
    const { payload } = await jwtVerify(token, issuer.verificationKeys, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });
    expect(payload).toMatchObject({ sub: "a1", sid: "s1", knd: "service" });
    expect(payload.exp! - payload.iat!).toBe(t.config.accessTokenTtlSeconds);
    expect(Math.abs(expiresAt.getTime() - payload.exp! * 1000)).toBeLessThan(1000);
    const principal = await createTokenVerifier(issuer.verificationKeys).verify(token);
    expect(principal).toEqual({ accountId: "a1", kind: "service", sessionId: "s1" });
    const jwks = await issuer.jwks();
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: header.kid, alg: "EdDSA", use: "sig", kty: "OKP", crv: "Ed25519" })]);
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("rotates without downtime: old tokens verify until retired keys age out of the JWKS", async () => {
    let clock = new Date();
    const issuer = await createTokenIssuer({ db: t.db, config: t.config, logger, now: () => clock });
    await issuer.rotateIfDue();
    const before = await issuer.issueAccessToken({ accountId: "a2", kind: "person", sessionId: "s2" });
    const oldKid = decodeProtectedHeader(before.token).kid;
    await issuer.rotateIfDue(); // not due yet
    expect((await issuer.jwks()).keys).toHaveLength(1);

    clock = new Date(clock.getTime() + t.config.signingKeyRotationDays * DAY_MS + 1000);
    await issuer.rotateIfDue();
    const after = await issuer.issueAccessToken({ accountId: "a2", kind: "person", sessionId: "s2" });
    const newKid = decodeProtectedHeader(after.token).kid;
    expect(newKid).not.toBe(oldKid);
    expect((await issuer.jwks()).keys.map((k) => (k as { kid: string }).kid).sort()).toEqual([oldKid, newKid].sort());
    // Another replica, which loaded only now, verifies both.
    const other = await createTokenIssuer({ db: t.db, config: t.config, logger, now: () => clock });
    const verifier = createTokenVerifier(other.verificationKeys);
    expect((await verifier.verify(before.token)).accountId).toBe("a2");
    expect((await verifier.verify(after.token)).accountId).toBe("a2");

    // Once every token the old key signed has expired, it leaves the JWKS.
    clock = new Date(clock.getTime() + t.config.accessTokenTtlSeconds * 1000 + 120_000);
    const late = await createTokenIssuer({ db: t.db, config: t.config, logger, now: () => clock });
    expect((await late.jwks()).keys.map((k) => (k as { kid: string }).kid)).toEqual([newKid]);
    await expect(jwtVerify(before.token, late.verificationKeys)).rejects.toThrow();
  });

  it("finds a key created by another replica after it loaded (unknown kid → reload)", async () => {
    const a = await createTokenIssuer({ db: t.db, config: t.config, logger });
    await t.db.em().nativeDelete(SigningKey, {});
    const b = await createTokenIssuer({ db: t.db, config: t.config, logger });
    const { token } = await b.issueAccessToken({ accountId: "a3", kind: "person", sessionId: "" });
    expect((await createTokenVerifier(a.verificationKeys).verify(token)).accountId).toBe("a3");
  });
});
