// Exit codes scripts can trust, and the one-line error format: `error: <CODE> (<reason>): <message>`.
import { Code, ConnectError } from "@connectrpc/connect";
import { CommanderError } from "commander";
import { codeName, errorReason } from "../errors.js";

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

const SETUP_TOKEN_HINTS: Record<string, string> = {
  INVALID_SETUP_TOKEN: "use the setup token from polityd's log of its latest start, or sign in if setup was done",
  SETUP_TOKEN_EXPIRED: "restart polityd: it prints a new setup token",
};

export function describeError(err: unknown): { code: number; text: string } {
  if (err instanceof CommanderError) {
    // commander has already printed its own message.
    const shown = err.code === "commander.helpDisplayed" || err.code === "commander.version";
    return { code: shown ? EXIT.ok : EXIT.usage, text: "" };
  }
  if (err instanceof ExitStatus) return { code: err.status, text: "" };
  if (err instanceof UsageError) return { code: EXIT.usage, text: `error: ${err.message}\n` };
  const ce = ConnectError.from(err);
  const reason = errorReason(ce);
  let text = `error: ${codeName(ce.code)}${reason ? ` (${reason})` : ""}: ${ce.rawMessage}\n`;
  // A refused setup token (`polity setup`): signing in would not help.
  const setupHint = reason ? SETUP_TOKEN_HINTS[reason] : undefined;
  if (setupHint) return { code: EXIT.server, text: `${text}hint: ${setupHint}\n` };
  if (ce.code === Code.Unauthenticated) {
    text += "hint: run `polity login`\n";
    return { code: EXIT.unauthenticated, text };
  }
  if (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) return { code: EXIT.unreachable, text };
  return { code: EXIT.server, text };
}
