// Brute-force protection for Login: failed attempts are counted per account (by email, so unknown emails are
// throttled alike and reveal nothing) and per client address, over 15-minute windows. On PostgreSQL the
// counters live in the sys schema's login_throttle table, shared by every sys replica; on the embedded PGlite
// (one process by construction) they live in memory.
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
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

export interface SharedThrottleStore {
  pool: pg.Pool;
  schema: string;
}

export function createLoginThrottle(config: Pick<Config, "loginFailuresPerAccount" | "loginFailuresPerAddress">, store?: SharedThrottleStore): LoginThrottle {
  const limiter = (keyPrefix: string, points: number): RateLimiterAbstract =>
    store
      ? new RateLimiterPostgres({
          keyPrefix, points, duration: WINDOW_SECONDS,
          storeClient: store.pool, storeType: "pool", schemaName: store.schema, tableName: "login_throttle",
          // The table comes from the auth module's migration, not from the library.
          tableCreated: true, clearExpiredByTimeout: true,
        })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
  const perAccount = limiter("login-account", config.loginFailuresPerAccount);
  const perAddress = limiter("login-address", config.loginFailuresPerAddress);
  const accountKey = (email: string) => email.trim().toLowerCase();

  async function blockedFor(limiter: RateLimiterAbstract, key: string, points: number): Promise<number> {
    if (!key) return 0;
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? Math.max(res.msBeforeNext, 1) : 0;
  }

  async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
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
