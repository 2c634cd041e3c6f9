// Anonymous answers are metered per client address (on top of the host's per-minute anonymous budget): each
// one stores a questionnaire, and a flood of them from one address is someone filling the table. The counters
// live in this process's memory, like the host's own rate limits: N mod replicas allow up to N× the budget.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { resourceExhausted } from "../../../sys/core/errors.js";

export const ANONYMOUS_ANSWERS_PER_HOUR = 20;

export interface AnonymousAnswerLimit {
  /** Spends one of the address's hourly budget; RESOURCE_EXHAUSTED ANONYMOUS_ANSWERS_THROTTLED when used up. */
  consume(address: string): Promise<void>;
}

export function createAnonymousAnswerLimit(perHour = ANONYMOUS_ANSWERS_PER_HOUR): AnonymousAnswerLimit {
  const limiter = new RateLimiterMemory({ keyPrefix: "disco-anonymous-answers", points: perHour, duration: 3600 });
  return {
    async consume(address) {
      // No address (a socket already gone): one shared "" bucket would let one client block everyone.
      if (!address) return;
      try {
        await limiter.consume(address);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw resourceExhausted("ANONYMOUS_ANSWERS_THROTTLED", "too many anonymous answers from this address; sign in, or try again later", Math.max(error.msBeforeNext, 1));
      }
    },
  };
}
