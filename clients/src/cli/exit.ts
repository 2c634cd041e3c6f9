// Exit codes scripts can trust, and how errors are printed: plain words for people, JSON with --json.
import { Code, ConnectError } from "@connectrpc/connect";
import { CommanderError } from "commander";
import { codeName, errorReason } from "../errors.js";
import { explain, fullStop, sentence } from "./error-text.js";

export const EXIT = {
  ok: 0,
  /** The server answered with an error. */
  server: 1,
  /** Bad flags or arguments; nothing was sent. */
  usage: 2,
  /** The server could not be reached or did not answer in time. */
  unreachable: 3,
  /** Not logged in, or the session expired: run `polity login`. */
  unauthenticated: 4,
} as const;

/** A mistake in how the CLI was invoked, found before calling the server. */
export class UsageError extends Error {}

/** Ends the command with a given exit code after its output was printed (e.g. health: NOT_SERVING). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/**
 * What to print for an error and which exit code to end with. A person gets plain sentences (what happened,
 * then the next step); with `json` the same goes to stderr as one JSON object that also carries the gRPC code
 * and the ErrorInfo reason, for scripts and bug reports.
 */
export function describeError(err: unknown, opts: { json?: boolean } = {}): { code: number; text: string } {
  if (err instanceof CommanderError) {
    // commander has already printed its own message.
    const shown = err.code === "commander.helpDisplayed" || err.code === "commander.version";
    return { code: shown ? EXIT.ok : EXIT.usage, text: "" };
  }
  if (err instanceof ExitStatus) return { code: err.status, text: "" };
  if (err instanceof UsageError) {
    const reason = (err as UsageError & { reason?: string }).reason ?? "USAGE";
    // Usage messages are written as sentences with their next step already; only the full stop is ensured.
    const text = fullStop(err.message);
    return { code: EXIT.usage, text: opts.json ? jsonError("USAGE", reason, err.message, text, "") : `error: ${text}\n` };
  }
  if (!(err instanceof ConnectError)) {
    // Not from the server: a local failure (a file that cannot be read, a bug). Said as it is, exit 1.
    const message = err instanceof Error ? err.message : String(err);
    const next = "If this looks like a bug in polity, report it with the command you ran.";
    return { code: EXIT.server, text: opts.json ? jsonError("UNKNOWN", "LOCAL", message, sentence(message), next) : `error: ${sentence(message)}\n${next}\n` };
  }
  const ce = err;
  const reason = errorReason(ce);
  const plain = explain(ce.code, reason, ce.rawMessage);
  const text = opts.json ? jsonError(codeName(ce.code), reason ?? "", ce.rawMessage, plain.text, plain.next) : `error: ${plain.text}\n${plain.next}\n`;
  // A refused setup token (`polity setup`) or emailed link (`polity password reset --token`) is not cured by
  // signing in, so it is not exit 4.
  const setup = reason !== undefined && ["INVALID_SETUP_TOKEN", "SETUP_TOKEN_EXPIRED", "INVALID_LINK_TOKEN", "LINK_TOKEN_EXPIRED"].includes(reason);
  if (ce.code === Code.Unauthenticated && !setup) return { code: EXIT.unauthenticated, text };
  // A plugin's platform being down is the server's answer, not the server being unreachable.
  if ((ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) && reason !== "PLATFORM_ERROR") return { code: EXIT.unreachable, text };
  return { code: EXIT.server, text };
}

function jsonError(code: string, reason: string, message: string, text: string, next: string): string {
  return JSON.stringify({ error: { code, reason, message, text, next } }) + "\n";
}
