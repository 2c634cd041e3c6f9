// Sessions (refresh-token families), their rotating refresh tokens, one-time email/setup tokens and the JWT
// signing keys. Every secret is stored as a sha256 hash; only signing keys are kept whole (they sign).
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";
import { Account } from "../account/index.js";

const now = () => new Date();

export const Session = defineEntity({
  name: "Session",
  tableName: "sessions",
  properties: {
    id: p.uuid().primary(),
    // Indexed: an account's sessions are listed and revoked together (sign-out everywhere, password change).
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade").index(),
    clientName: p.string().length(100).default(""),
    clientAddress: p.string().length(64).default(""),
    createdAt: p.datetime().onCreate(now),
    lastUsedAt: p.datetime().onCreate(now),
    expiresAt: p.datetime(),
    // Indexed: every sys replica reads the recent revocations at start and after losing LISTEN (revocations.ts).
    revokedAt: p.datetime().nullable().index(),
    revokedReason: p.string().length(32).nullable(),
  },
});
export type Session = InferEntity<typeof Session>;

export const RefreshToken = defineEntity({
  name: "RefreshToken",
  tableName: "refresh_tokens",
  properties: {
    id: p.uuid().primary(),
    sessionId: p.manyToOne(Session).mapToPk().fieldName("session_id").deleteRule("cascade"),
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(now),
    // Set when rotated; presenting a used token again revokes the whole family.
    usedAt: p.datetime().nullable(),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;

export const EmailToken = defineEntity({
  name: "EmailToken",
  tableName: "email_tokens",
  properties: {
    id: p.uuid().primary(),
    // Null only for the one-time setup token, which exists before any account does.
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade").nullable(),
    purpose: p.enum(["verify", "reset", "setup"]),
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(now),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type EmailToken = InferEntity<typeof EmailToken>;

export const SigningKey = defineEntity({
  name: "SigningKey",
  tableName: "signing_keys",
  properties: {
    kid: p.string().length(64).primary(),
    alg: p.string().length(16),
    publicJwk: p.json<Record<string, unknown>>(),
    privateJwk: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(now),
    retiredAt: p.datetime().nullable(),
  },
});
export type SigningKey = InferEntity<typeof SigningKey>;

// Failed-login counters shared by every sys replica on PostgreSQL, in the layout rate-limiter-flexible's
// RateLimiterPostgres reads and writes (`expire` is epoch milliseconds).
export const LoginThrottleCounter = defineEntity({
  name: "LoginThrottleCounter",
  tableName: "login_throttle",
  properties: {
    key: p.string().length(255).primary(),
    points: p.integer().default(0),
    expire: p.bigint().nullable(),
  },
});

export const authEntities = [Session, RefreshToken, EmailToken, SigningKey, LoginThrottleCounter];
