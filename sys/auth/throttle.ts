// Brute-force protection for sign-in and metering of sign-up. Every budget is spent atomically BEFORE the
// password is checked (or hashed), so concurrent attempts cannot all slip through a check-then-count window.
//
// Sign-in draws on three budgets, spent in this order:
//   1. per (account, address), low (default 5 per 15 minutes): what stops one guesser on one account;
//   2. per address over all accounts (default 20 per 15 minutes): one address spraying many accounts;
//   3. per account over all addresses, high (default 100 per hour, OWASP's advice): a distributed guesser
//      is bounded too, but a stranger from one address cannot lock the owner out of their account.
// An attempt refused by one budget gives back what it took from the budgets before it, and a right password
// gives back its attempt (so only failures count) and forgives its own (account, address) pair.
// Accounts are keyed by normalized email, so unknown emails are throttled alike and reveal nothing.
// On PostgreSQL the counters live in the sys schema's login_throttle table, shared by every sys replica; on
// the embedded PGlite (one process by construction) they live in memory.
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../core/config.js";
import { resourceExhausted } from "../core/errors.js";

const QUARTER_HOUR = 15 * 60;
const HOUR = 60 * 60;

export interface LoginAttempt {
  /** The password was right: this attempt does not count as a failure. */
  succeeded(): Promise<void>;
}

export interface LoginThrottle {
  /** Spends one attempt of every budget; throws ResourceExhausted LOGIN_THROTTLED (with RetryInfo) when one is used up. */
  attempt(email: string, address: string): Promise<LoginAttempt>;
}

export interface RegistrationLimit {
  /** Spends one registration of the address's hourly budget; throws ResourceExhausted REGISTRATION_THROTTLED. */
  consume(address: string): Promise<void>;
}

export interface SharedThrottleStore {
  pool: pg.Pool;
  schema: string;
}

type LimiterFactory = (keyPrefix: string, points: number, duration: number) => RateLimiterAbstract;

function limiterFactory(store: SharedThrottleStore | undefined): LimiterFactory {
  return (keyPrefix, points, duration) =>
    store
      ? new RateLimiterPostgres({
          keyPrefix, points, duration,
          storeClient: store.pool, storeType: "pool", schemaName: store.schema, tableName: "login_throttle",
          // The table comes from the auth module's migration, not from the library.
          tableCreated: true, clearExpiredByTimeout: true,
        })
      : new RateLimiterMemory({ keyPrefix, points, duration });
}

/** Rejection with a RateLimiterRes is the library's way of saying "over the limit"; anything else is a failure. */
async function spend(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

type LoginLimits = Pick<Config, "loginFailuresPerAccountAddress" | "loginFailuresPerAccount" | "loginFailuresPerAddress">;

export function createLoginThrottle(config: LoginLimits, store?: SharedThrottleStore): LoginThrottle {
  const limiter = limiterFactory(store);
  const perPair = limiter("login-pair", config.loginFailuresPerAccountAddress, QUARTER_HOUR);
  const perAddress = limiter("login-address", config.loginFailuresPerAddress, QUARTER_HOUR);
  const perAccount = limiter("login-account", config.loginFailuresPerAccount, HOUR);

  return {
    async attempt(email, address) {
      const account = email.trim().toLowerCase();
      // No address (a socket already gone) has no address budget: one shared "" bucket would let one client block all.
      const budgets: Array<[RateLimiterAbstract, string]> = [[perPair, `${account}|${address}`]];
      if (address) budgets.push([perAddress, address]);
      budgets.push([perAccount, account]);
      const spent: Array<[RateLimiterAbstract, string]> = [];
      for (const [limiter, key] of budgets) {
        const over = await spend(limiter, key);
        if (over) {
          await Promise.all(spent.map(([l, k]) => l.reward(k, 1)));
          throw resourceExhausted("LOGIN_THROTTLED", "too many sign-in attempts; try again later", Math.max(over.msBeforeNext, 1));
        }
        spent.push([limiter, key]);
      }
      return {
        async succeeded() {
          await Promise.all(spent.map(([l, k]) => (l === perPair ? l.delete(k) : l.reward(k, 1))));
        },
      };
    },
  };
}

export function createRegistrationLimit(config: Pick<Config, "registrationsPerAddressPerHour">, store?: SharedThrottleStore): RegistrationLimit {
  const points = config.registrationsPerAddressPerHour;
  const perAddress = points > 0 ? limiterFactory(store)("register-address", points, HOUR) : undefined;
  return {
    async consume(address) {
      if (!perAddress || !address) return;
      const over = await spend(perAddress, address);
      if (over) throw resourceExhausted("REGISTRATION_THROTTLED", "too many accounts registered from this address; try again later", Math.max(over.msBeforeNext, 1));
    },
  };
}
