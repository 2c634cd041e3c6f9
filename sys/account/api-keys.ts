// Service-account API keys: `pol_<prefix>_<secret>`. The prefix (hex, public) finds the row; the secret is kept
// only as a sha256 hash — it has 256 bits of entropy, so a slow hash would add nothing.
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, type ApiKey as ApiKeyMessage } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import type { EntityManager } from "../core/db.js";
import { randomToken, sha256 } from "../shared/secrets.js";
import { ApiKey } from "./entities.js";

const DAY_MS = 86_400_000;

export function parseApiKey(key: string): { prefix: string; secret: string } | undefined {
  const match = /^pol_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$/.exec(key);
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Creates a key row (flushed by the caller) and returns it with the secret, which is never stored. */
export function createApiKey(em: EntityManager, input: { accountId: string; name: string; expiresInDays?: number }): { key: ApiKey; secret: string } {
  const prefix = randomBytes(6).toString("hex");
  const secretPart = randomToken();
  const now = new Date();
  const key = em.create(ApiKey, {
    id: randomUUID(),
    accountId: input.accountId,
    name: input.name,
    prefix,
    secretHash: sha256(secretPart),
    createdAt: now,
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY_MS) : null,
  });
  return { key, secret: `pol_${prefix}_${secretPart}` };
}

export function apiKeyToProto(key: ApiKey): ApiKeyMessage {
  return create(ApiKeySchema, {
    id: key.id,
    name: key.name,
    prefix: `pol_${key.prefix}`,
    createdAt: timestampFromDate(key.createdAt),
    lastUsedAt: key.lastUsedAt ? timestampFromDate(key.lastUsedAt) : undefined,
    expiresAt: key.expiresAt ? timestampFromDate(key.expiresAt) : undefined,
    revokedAt: key.revokedAt ? timestampFromDate(key.revokedAt) : undefined,
  });
}
