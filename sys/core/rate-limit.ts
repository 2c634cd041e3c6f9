// Per-principal call limits: a fixed one-minute window per authenticated account, and
// one per client address for calls without a token. Counters live in this process's memory, so each replica
// limits on its own (N replicas let a caller make up to N× the limit); that keeps the guard's hot path to one
// in-memory consume. Login brute-force protection is separate and shared (sys/auth/throttle.ts).
//
// The mod tier's authorization questions (AuthzService.Check/CheckBatch) have a bucket of their own, per client
// address and counted per question: a mod replica asks about all its callers, anonymous ones included, from its
// one address, so the anonymous budget would throttle every reader of the platform together; yet each question
// costs sys a database query, so a stranger calling Check directly must not get it unmetered.
//
// The mod tier's identity questions (IdentityService.ResolveIdentity/LookupIdentities) asked with a service
// account's token (the mod service account holding platform.identity_resolver, answering webhooks) go to that
// same per-address bucket instead of the account's: a burst of webhook deliveries is the platform's traffic, not
// one principal's, and must not be refused at the per-account budget. They stay metered (per address), and a
// service account without sys.identity.resolve is still refused by authorization right after.
import type { DescMethod } from "@bufbuild/protobuf";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import type { Config } from "./config.js";
import { resourceExhausted } from "./errors.js";

/** IdentityService calls a service account's token counts in the tier bucket (consumeTierChecks), not its own. */
export const TIER_IDENTITY_PATHS: ReadonlySet<string> = new Set(
  [IdentityService.method.resolveIdentity, IdentityService.method.lookupIdentities].map((m: DescMethod) => `/${m.parent.typeName}/${m.name}`),
);

export interface RateLimit {
  /**
   * Counts one call; throws ResourceExhausted RATE_LIMITED (with RetryInfo) once the caller's minute is used up.
   * A caller without a (valid) token counts against its address; an account against its own budget, and an
   * account whose email is not verified against its address's as well: registering throwaway accounts must not
   * multiply what one address may call.
   */
  consume(caller: { accountId?: string; address?: string; unverified?: boolean }): Promise<void>;
  /**
   * Counts `questions` authorization questions (Check: 1, CheckBatch: its questions) asked from `address`,
   * whatever credential they carry, one directory read mod makes without a credential, or one identity question
   * of a service account (TIER_IDENTITY_PATHS; guard.ts); throws
   * RATE_LIMITED once the address's minute is used up.
   */
  consumeTierChecks(address: string | undefined, questions: number): Promise<void>;
}

export function createRateLimit(config: Pick<Config, "rateLimitPerMinute" | "anonymousRateLimitPerMinute" | "tierCheckRateLimitPerMinute">): RateLimit {
  const limiter = (keyPrefix: string, points: number) => (points > 0 ? new RateLimiterMemory({ keyPrefix, points, duration: 60 }) : undefined);
  const perAccount = limiter("rpc-account", config.rateLimitPerMinute);
  const perAddress = limiter("rpc-address", config.anonymousRateLimitPerMinute);
  const tierChecks = limiter("tier-check-address", config.tierCheckRateLimitPerMinute);

  async function spend(limiter: RateLimiterMemory | undefined, key: string | undefined, points = 1): Promise<void> {
    // No address (a socket already gone) is not limited: one shared "" bucket would let one client starve all.
    if (!limiter || !key) return;
    try {
      await limiter.consume(key, points);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw resourceExhausted("RATE_LIMITED", "too many calls; slow down and retry later", Math.max(error.msBeforeNext, 1));
    }
  }

  return {
    async consume({ accountId, address, unverified }) {
      if (accountId) await spend(perAccount, accountId);
      if (!accountId || unverified) await spend(perAddress, address);
    },
    consumeTierChecks: (address, questions) => spend(tierChecks, address, Math.max(questions, 1)),
  };
}
