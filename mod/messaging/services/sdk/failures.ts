// Why a send failed, in the two kinds the delivery loop acts on: transient (retry on the same provider, after
// Retry-After when the provider said so) and permanent (move to the next provider in the chain at once).
import { reasonOf as reasonOfApiError } from "../../../../sys/core/errors.js";

const FAILURE = Symbol.for("polity.messaging.providerFailure");

interface ProviderFailure extends Error {
  [FAILURE]: { transient: boolean; retryAfterMs?: number };
}

export interface FailureClass {
  transient: boolean;
  reason: string;
  retryAfterMs?: number;
}

export function transientFailure(reason: string, options: { retryAfterMs?: number } = {}): Error {
  const retryAfterMs = options.retryAfterMs !== undefined && Number.isFinite(options.retryAfterMs) ? Math.max(0, Math.round(options.retryAfterMs)) : undefined;
  return Object.assign(new Error(reason), { name: "TransientProviderFailure", [FAILURE]: { transient: true, retryAfterMs } });
}

export function permanentFailure(reason: string): Error {
  return Object.assign(new Error(reason), { name: "PermanentProviderFailure", [FAILURE]: { transient: false } });
}

// Socket-level trouble: the next attempt may well get through.
const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
  "ENETDOWN", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED", "ECONNECTION", "ESOCKET", "EDNS", "ETIMEOUT",
]);

/**
 * Classifies anything a provider's send threw. Explicit transient/permanent failures keep their class; SMTP
 * replies (nodemailer's responseCode) are transient for 4xx and permanent for 5xx; timeouts, aborts and network
 * errors are transient; an HTTP status on the error (429/5xx transient, other 4xx permanent) is honoured;
 * anything else is treated as transient, so the retry budget, not a guess, decides when to give up.
 */
export function classifyFailure(error: unknown): FailureClass {
  const reason = reasonOf(error);
  if (typeof error !== "object" || error === null) return { transient: true, reason };
  const marked = (error as Partial<ProviderFailure>)[FAILURE];
  if (marked) return { transient: marked.transient, reason, ...(marked.retryAfterMs !== undefined ? { retryAfterMs: marked.retryAfterMs } : {}) };

  // Safe fetch's refusal of a private destination: waiting will not make the address public.
  if (reasonOfApiError(error) === "DESTINATION_NOT_ALLOWED") return { transient: false, reason };
  const e = error as { name?: unknown; code?: unknown; responseCode?: unknown; status?: unknown; cause?: unknown };
  if (typeof e.responseCode === "number" && e.responseCode >= 400 && e.responseCode < 600) {
    return { transient: e.responseCode < 500, reason };
  }
  if (e.name === "AbortError" || e.name === "TimeoutError") return { transient: true, reason };
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return { transient: true, reason };
  if (typeof e.status === "number" && e.status >= 400 && e.status < 600) {
    return { transient: e.status === 429 || e.status >= 500 || e.status === 408, reason };
  }
  if (e.cause !== undefined && e.cause !== error) {
    const inner = classifyFailure(e.cause);
    return { ...inner, reason };
  }
  return { transient: true, reason };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error && cause.message && !error.message.includes(cause.message) ? `: ${cause.message}` : "";
    return `${error.message || error.name}${detail}`;
  }
  return String(error);
}
