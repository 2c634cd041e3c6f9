// A mod-only process verifies tokens against sys's JWKS: a key sys withdraws stops verifying there once the
// minute-old set is refetched, for tokens it had already accepted as well as for new ones.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRemoteTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER } from "./token-verifier.js";

describe("the remote token verifier", () => {
  let server: Server;
  let published: JWK[] = [];
  let fetches = 0;
  let signingKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    signingKey = pair.privateKey;
    published = [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "EdDSA", use: "sig" }];
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterEach(() => vi.useRealTimers());
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const token = () => new SignJWT({ sid: "s1", knd: "person" }).setProtectedHeader({ alg: "EdDSA", kid: "k1" })
    .setSubject("a1").setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime("15m").sign(signingKey);

  it("refuses a cached token once its key leaves sys's JWKS, after the minute the set is kept", async () => {
    const verifier = createRemoteTokenVerifier(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const accepted = await token();
    expect((await verifier.verify(accepted)).accountId).toBe("a1");
    expect((await verifier.verify(accepted)).accountId).toBe("a1"); // from the cache, no refetch
    expect(fetches).toBe(1);

    published = [];
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 61_000);
    await vi.waitFor(async () => {
      await expect(verifier.verify(accepted)).rejects.toMatchObject({ rawMessage: expect.stringContaining("withdrawn") });
    }, { timeout: 5_000 });
    await expect(verifier.verify(await token())).rejects.toThrow();
  });
});
