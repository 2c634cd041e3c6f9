// Retries idempotent unary reads that fail with Unavailable (a restarting server, a dropped connection),
// with capped exponential backoff and full jitter. The call's deadline bounds all attempts together.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";

export interface RetryOptions {
  /** Total attempts including the first; 1 disables retries. Default 3. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

// Our protos do not declare idempotency_level yet, so reads are also recognised by the AIP verb.
const readVerb = /^(Get|List|Check|Explain|WhoAmI|Search|Batch[A-Z]\w*Get)/;

export function isIdempotent(method: DescMethod): boolean {
  return method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN || readVerb.test(method.name);
}

export function createRetryInterceptor(opts: RetryOptions = {}): Interceptor {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const initial = opts.initialBackoffMs ?? 100;
  const cap = opts.maxBackoffMs ?? 2_000;
  return (next) => async (req) => {
    if (req.stream || maxAttempts === 1 || !isIdempotent(req.method)) return next(req);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        const code = ConnectError.from(err).code;
        if (code !== Code.Unavailable || attempt >= maxAttempts || req.signal.aborted) throw err;
        const delay = Math.random() * Math.min(cap, initial * 2 ** (attempt - 1));
        if (!(await sleep(delay, req.signal))) throw err;
      }
    }
  };
}

/** Resolves true after ms, or false as soon as the signal aborts (deadline reached, caller cancelled). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
