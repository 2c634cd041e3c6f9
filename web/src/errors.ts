import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { h } from "./dom.js";

/** "PermissionDenied (NO_ROLE): message" — the code name, the stable reason when there is one, the message. */
export function describeError(err: unknown): { code: string; reason: string; message: string } {
  // Local checks (e.g. an unknown email) are not API errors: show their message alone.
  if (!(err instanceof ConnectError) && err instanceof Error) return { code: "Error", reason: "", message: err.message };
  const e = ConnectError.from(err);
  const reason = e.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
  return { code: Code[e.code] ?? String(e.code), reason, message: e.rawMessage };
}

// Reasons a person meets in the first hour, in plain words with the next step; the code, reason and server
// message stay one click away for whoever needs them.
const PLAIN_WORDS: Record<string, string> = {
  EMAIL_UNVERIFIED: "Your email address is not verified yet. Open the link in the email we sent you (or send it again from the home page), then try again.",
  INVALID_LINK_TOKEN: "This link is not valid or was already used. Ask for a new one.",
  LINK_TOKEN_EXPIRED: "This link has expired. Ask for a new one.",
  INVALID_CREDENTIALS: "The email or password is wrong. Try again, or use \"Forgot password?\" to choose a new one.",
};

// Every other refusal, by its code: what happened in plain words and what to do next. The server's message
// (which names the field or the rule) follows when it says more than the code does.
const BY_CODE: Partial<Record<string, string>> = {
  InvalidArgument: "Some of what was entered is not accepted; correct it and try again.",
  FailedPrecondition: "This cannot be done in the current state.",
  NotFound: "This was not found, or you may not see it. Check the link, or go back to the list.",
  AlreadyExists: "This already exists; pick another name.",
  PermissionDenied: "You are not allowed to do this. Ask an admin of the organisation or community if you need to.",
  Unauthenticated: "You need to sign in (again) to do this.",
  ResourceExhausted: "Too many requests for now. Wait a moment, then try again.",
  Aborted: "Someone changed this while you were working on it. Reload the page and try again.",
  Unavailable: "The server cannot be reached right now. Check your connection and try again in a moment.",
  DeadlineExceeded: "The server took too long to answer. Try again in a moment.",
  Internal: "Something went wrong on the server. Try again; if it keeps happening, tell the operators (the details below help them).",
  Unknown: "Something went wrong. Try again; if it keeps happening, tell the operators (the details below help them).",
};

function inPlainWords(code: string, reason: string, message: string): string | undefined {
  const plain = PLAIN_WORDS[reason];
  if (plain) return plain;
  const general = BY_CODE[code];
  if (!general) return undefined;
  // Validation and state refusals carry the specifics (field, rule) in their message: keep them in view.
  const specific = code === "InvalidArgument" || code === "FailedPrecondition" || code === "AlreadyExists" ? message : "";
  return specific ? `${general} ${sentence(specific)}` : general;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function errorBox(err: unknown): HTMLElement {
  const { code, reason, message } = describeError(err);
  const plain = code === "Error" ? undefined : inPlainWords(code, reason, message);
  const technical = [h("strong", { class: "code" }, code), reason ? h("span", { class: "reason" }, ` ${reason}`) : null, h("span", {}, `: ${message}`)];
  if (plain) {
    return h("div", { class: "alert error", role: "alert", "data-testid": "error", "data-reason": reason },
      h("span", {}, plain), h("details", {}, h("summary", {}, "Details"), ...technical));
  }
  return h("div", { class: "alert error", role: "alert", "data-testid": "error", "data-reason": reason || null }, ...technical);
}

export function okBox(text: string): HTMLElement {
  return h("div", { class: "alert ok", role: "status", "data-testid": "notice" }, text);
}

/** Runs an action and reports its error in `slot` instead of throwing; returns whether it worked. */
export async function attempt(slot: HTMLElement, action: () => Promise<unknown>): Promise<boolean> {
  slot.replaceChildren();
  try {
    await action();
    return true;
  } catch (err) {
    slot.replaceChildren(errorBox(err));
    return false;
  }
}
