// The rows of signing_keys: a new key signs from the moment it exists. The keys before it are either retired
// (they keep verifying the tokens they signed until those expire: a scheduled rotation, nobody signed out) or
// withdrawn (deleted: every token they signed is refused, for a key that may have leaked).
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import type { Database } from "../core/db.js";
import { SigningKey } from "./entities.js";

export const SIGNING_ALG = "EdDSA";
/** How stale a sys replica's view of the key set may be (it reloads this often); retired keys live this much longer. */
export const KEY_RELOAD_MS = 60_000;
const DAY_MS = 86_400_000;

/** How long after its retirement a key is kept: its last tokens' lifetime, a reload, and a day's margin. */
export const keepRetiredMsFor = (accessTokenTtlSeconds: number) => accessTokenTtlSeconds * 1000 + KEY_RELOAD_MS + DAY_MS;

export interface NewSigningKey {
  kid: string;
  /** The keys that stopped signing but still verify. */
  retired: string[];
  /** The keys deleted: tokens they signed are refused. */
  withdrawn: string[];
}

export interface CreateSigningKeyOptions {
  at: Date;
  /** How long after its retirement a key is still needed (token lifetime and margins); older ones are deleted. */
  keepRetiredMs: number;
  /** Delete every other key instead of retiring it. */
  withdrawOthers?: boolean;
}

/** Makes a new signing key and retires (or withdraws) every other, in one transaction. */
export async function createSigningKey(db: Database, { at, keepRetiredMs, withdrawOthers = false }: CreateSigningKeyOptions): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return db.em().transactional(async (tx) => {
    const before = await tx.find(SigningKey, {}, { fields: ["kid", "retiredAt"], orderBy: { createdAt: "asc", kid: "asc" } });
    const stale = (row: (typeof before)[number]) => row.retiredAt !== null && row.retiredAt !== undefined && row.retiredAt.getTime() < at.getTime() - keepRetiredMs;
    let retired: string[] = [];
    if (withdrawOthers) {
      await tx.nativeDelete(SigningKey, {});
    } else {
      retired = before.filter((row) => !stale(row)).map((row) => row.kid);
      await tx.nativeUpdate(SigningKey, { retiredAt: null }, { retiredAt: at });
      // Keys no token can need any more.
      await tx.nativeDelete(SigningKey, { retiredAt: { $lt: new Date(at.getTime() - keepRetiredMs) } });
    }
    tx.create(SigningKey, { kid, alg: SIGNING_ALG, publicJwk, privateJwk, createdAt: at });
    return { kid, retired, withdrawn: withdrawOthers ? before.map((row) => row.kid) : [] };
  });
}
