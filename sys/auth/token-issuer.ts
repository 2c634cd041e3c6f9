// Access tokens: EdDSA (Ed25519) JWTs signed with keys kept in signing_keys, so every sys replica signs with and
// publishes the same set. Rotation without downtime: a new key signs from the moment it exists, and a retired
// key stays in the JWKS until every token it could have signed has expired.
import { randomUUID } from "node:crypto";
import { errors, importJWK, SignJWT, type CryptoKey, type JWK, type JWTVerifyGetKey } from "jose";
import type { Logger } from "pino";
import type { Config } from "../core/config.js";
import type { Database } from "../core/db.js";
import type { TokenIssuer } from "../core/sys-context.js";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "../core/authn/token-verifier.js";
import { createRevocationList } from "../core/authn/revocation-list.js";
import { SigningKey } from "./entities.js";
import { createRevocationSync, REVOCATION_MARGIN_MS } from "./revocations.js";
import { createSigningKey, KEY_RELOAD_MS, keepRetiredMsFor, SIGNING_ALG as ALG } from "./signing-keys.js";
import { revokeSessions } from "./sessions.js";

const DAY_MS = 86_400_000;

interface LoadedKey {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

export interface TokenIssuerOptions {
  db: Database;
  config: Config;
  logger: Logger;
  /** Clock (tests). */
  now?: () => Date;
}

export async function createTokenIssuer({ db, config, logger, now = () => new Date() }: TokenIssuerOptions): Promise<TokenIssuer> {
  const ttlMs = config.accessTokenTtlSeconds * 1000;
  let keys: LoadedKey[] = [];
  let loadedAt = 0;
  let lastMissReload = 0;
  // What was revoked while tokens issued before it may live; the auth module keeps it fresh across replicas.
  const revocations = createRevocationList(ttlMs + REVOCATION_MARGIN_MS);
  const revocationSync = createRevocationSync(db, revocations);

  // A retired key is published while tokens it signed may still be valid.
  const published = (k: LoadedKey) => !k.retiredAt || k.retiredAt.getTime() + ttlMs + KEY_RELOAD_MS > now().getTime();

  async function load(): Promise<void> {
    const rows = await db.em().find(SigningKey, {}, { orderBy: { createdAt: "desc", kid: "desc" } });
    keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        createdAt: row.createdAt,
        retiredAt: row.retiredAt ?? null,
        publicJwk: row.publicJwk as JWK,
        publicKey: (await importJWK(row.publicJwk as JWK, ALG)) as CryptoKey,
        privateKey: (await importJWK(row.privateJwk as JWK, ALG)) as CryptoKey,
      })),
    );
    loadedAt = Date.now();
  }

  async function fresh(): Promise<LoadedKey[]> {
    if (Date.now() - loadedAt > KEY_RELOAD_MS) await load();
    return keys;
  }

  // For the verifier's cached tokens: answered from the loaded set, reloaded in the background once stale.
  let reloading: Promise<void> | undefined;
  const keyInUse = (kid: string): boolean => {
    if (Date.now() - loadedAt > KEY_RELOAD_MS && !reloading) {
      reloading = load()
        .catch((error: unknown) => logger.warn({ err: error }, "reloading the signing keys failed"))
        .finally(() => (reloading = undefined));
    }
    return keys.some((k) => k.kid === kid && published(k));
  };

  const active = (list: LoadedKey[]) => list.find((k) => !k.retiredAt);

  async function rotateIfDue(): Promise<void> {
    await load();
    const current = active(keys);
    const due = !current || now().getTime() - current.createdAt.getTime() >= config.signingKeyRotationDays * DAY_MS;
    if (!due) return;
    const created = await createSigningKey(db, { at: now(), keepRetiredMs: keepRetiredMsFor(config.accessTokenTtlSeconds) });
    logger.info({ kid: created.kid, previous: current?.kid }, "new token signing key");
    await load();
  }

  const verificationKeys: JWTVerifyGetKey = async (header) => {
    const find = () => keys.find((k) => k.kid === header.kid && published(k));
    let key = (await fresh(), find());
    // An unknown kid usually means another replica rotated; reload, but not on every forged header.
    if (!key && Date.now() - lastMissReload > 1000) {
      lastMissReload = Date.now();
      await load();
      key = find();
    }
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key.publicKey;
  };

  await load();

  return {
    async issueAccessToken({ accountId, kind, sessionId, unverified }) {
      let key = active(await fresh());
      if (!key) {
        await rotateIfDue();
        key = active(keys);
      }
      if (!key) throw new Error("no signing key");
      const issuedAt = Math.floor(now().getTime() / 1000);
      const exp = issuedAt + config.accessTokenTtlSeconds;
      // `unv`: the email was not verified yet, so the guard also meters the caller by address.
      const token = await new SignJWT({ sid: sessionId, knd: kind, ...(unverified ? { unv: true } : {}) })
        .setProtectedHeader({ alg: ALG, kid: key.kid, typ: "JWT" })
        .setSubject(accountId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key.privateKey);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    verificationKeys,
    keyInUse,
    revocations,
    revokeSessions: (em, filter, reason) => revokeSessions(revocationSync, em, filter, reason),
    followRevocations: () => revocationSync.follow(ttlMs + REVOCATION_MARGIN_MS, logger),
    async jwks() {
      return { keys: (await fresh()).filter(published).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ALG, use: "sig" })) };
    },
    rotateIfDue,
  };
}
