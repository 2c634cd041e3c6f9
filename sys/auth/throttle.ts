// Brute-force protection for Login: failed attempts are counted per account (by email, so unknown emails are
// throttled alike and reveal nothing) and per client address, over 15-minute windows. Counters live in memory,
// so each sys replica counts on its own: with N replicas an attacker gets up to N times the budget. That bound
// is acceptable next to scrypt's cost; a shared store (rate-limiter-flexible's Postgres/Redis limiters) would
// make it exact.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../core/config.js";
import { resourceExhausted } from "../core/errors.js";

const WINDOW_SECONDS = 15 * 60;

export interface LoginThrottle {
  /** Throws ResourceExhausted LOGIN_THROTTLED when the account or the address has no attempts left. */
  check(email: string, address: string): Promise<void>;
  recordFailure(email: string, address: string): Promise<void>;
  /** A successful sign-in clears the account's counter (not the address's: one good password is no alibi). */
  recordSuccess(email: string): Promise<void>;
}

export function createLoginThrottle(config: Pick<Config, "loginFailuresPerAccount" | "loginFailuresPerAddress">): LoginThrottle {
  const perAccount = new RateLimiterMemory({ keyPrefix: "login-account", points: config.loginFailuresPerAccount, duration: WINDOW_SECONDS });
  const perAddress = new RateLimiterMemory({ keyPrefix: "login-address", points: config.loginFailuresPerAddress, duration: WINDOW_SECONDS });
  const accountKey = (email: string) => email.trim().toLowerCase();

  async function blockedFor(limiter: RateLimiterMemory, key: string, points: number): Promise<number> {
    if (!key) return 0;
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? Math.max(res.msBeforeNext, 1) : 0;
  }

  async function consume(limiter: RateLimiterMemory, key: string): Promise<void> {
    if (!key) return;
    try {
      await limiter.consume(key);
    } catch (error) {
      // Over the limit: rejection with a RateLimiterRes is the library's way of saying so.
      if (!(error instanceof RateLimiterRes)) throw error;
    }
  }

  return {
    async check(email, address) {
      const ms = Math.max(
        await blockedFor(perAccount, accountKey(email), config.loginFailuresPerAccount),
        await blockedFor(perAddress, address, config.loginFailuresPerAddress),
      );
      if (ms > 0) throw resourceExhausted("LOGIN_THROTTLED", "too many failed sign-in attempts; try again later", ms);
    },
    async recordFailure(email, address) {
      await consume(perAccount, accountKey(email));
      await consume(perAddress, address);
    },
    async recordSuccess(email) {
      await perAccount.delete(accountKey(email));
    },
  };
}
