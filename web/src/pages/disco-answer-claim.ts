// Answers given without an account wait, with their claim token, in this browser's localStorage until the
// person is signed in (registered and verified, or signed in to an existing account); then ClaimAnswers makes
// them the account's, and a notice says so. The token is the only key to those answers: it is dropped once
// claimed or refused for good, and kept while the claim cannot be made yet (unverified email, no network).
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { h } from "../dom.js";
import { describeError } from "../errors.js";
import { link } from "../router.js";
import { session } from "../session.js";
import { answerPath, answers } from "./disco-survey-client.js";

const KEY = "polity.disco.pendingClaims";

export interface PendingClaim {
  surveyId: string;
  surveyTitle: string;
  claimToken: string;
}

export function pendingClaims(): PendingClaim[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? "[]") as PendingClaim[];
    return Array.isArray(list) ? list.filter((c) => c && typeof c.claimToken === "string") : [];
  } catch {
    return [];
  }
}

function keep(list: PendingClaim[]): void {
  if (list.length) localStorage.setItem(KEY, JSON.stringify(list));
  else localStorage.removeItem(KEY);
}

/** Remembers a new anonymous answer set's token; a newer one for the same survey replaces the older. */
export function rememberClaim(claim: PendingClaim): void {
  keep([...pendingClaims().filter((c) => c.surveyId !== claim.surveyId), claim]);
}

function forget(claimToken: string): void {
  keep(pendingClaims().filter((c) => c.claimToken !== claimToken));
}

// Refusals that no later attempt can turn around: the token is spent or was never given, or the request is bad.
const FINAL = new Set(["ALREADY_CLAIMED", "CLAIM_TOKEN_UNKNOWN"]);
const isFinal = (err: ConnectError, reason: string) => FINAL.has(reason) || err.code === Code.InvalidArgument || err.code === Code.NotFound;

let running: Promise<void> | undefined;

/** Claims every waiting answer set for the signed-in account; called on each page shown to a signed-in person. */
export function claimPendingAnswers(): Promise<void> {
  if (!session.signedIn() || !pendingClaims().length) return Promise.resolve();
  running ??= claimAll().finally(() => (running = undefined));
  return running;
}

async function claimAll(): Promise<void> {
  for (const claim of pendingClaims()) await claimOne(claim, false);
}

async function claimOne(claim: PendingClaim, replace: boolean): Promise<void> {
  try {
    await answers().claimAnswers({ claimToken: claim.claimToken, replace });
    forget(claim.claimToken);
    notice(claim, h("span", {}, "Your answers to ", h("strong", {}, claim.surveyTitle), " are now part of your account and count. ",
      h("a", { href: link(answerPath(claim.surveyId)), "data-testid": "claim-notice-link" }, "See or change them")), "claimed");
    // Replaced while that survey's answer page shows the old answers: show it again.
    if (replace && location.hash.startsWith(`#${answerPath(claim.surveyId)}`)) window.dispatchEvent(new HashChangeEvent("hashchange"));
  } catch (err) {
    const e = ConnectError.from(err);
    const reason = e.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
    if (reason === "ALREADY_ANSWERED") return askToReplace(claim);
    if (!isFinal(e, reason)) return;
    forget(claim.claimToken);
    notice(claim, h("span", {}, `The answers you gave to ${claim.surveyTitle} before signing in could not be added to your account: ${describeError(err).message}`), "refused");
  }
}

// The account already answered that survey: the person chooses which answers stay.
function askToReplace(claim: PendingClaim): void {
  const box = notice(claim, h("span", {}, "You had already answered ", h("strong", {}, claim.surveyTitle),
    " with this account. Keep those answers, or replace them with the ones you gave before signing in? ",
    h("button", { type: "button", class: "small", "data-testid": "claim-replace", onclick: () => { box.remove(); void claimOne(claim, true); } }, "Replace"), " ",
    h("button", { type: "button", class: "secondary small", "data-testid": "claim-keep", onclick: () => { box.remove(); forget(claim.claimToken); } }, "Keep mine")), "ask");
}

/** A notice over every page (a page change would wipe one inside it) until dismissed. */
function notice(claim: PendingClaim, body: HTMLElement, outcome: string): HTMLElement {
  document.querySelector(`[data-claim-survey="${CSS.escape(claim.surveyId)}"]`)?.remove();
  const box = h("div", { class: `alert ${outcome === "refused" ? "error" : "ok"} claim-notice`, role: "status", "data-testid": "claim-notice",
    "data-outcome": outcome, "data-claim-survey": claim.surveyId }, body,
    h("button", { type: "button", class: "secondary small", "aria-label": "Dismiss", onclick: () => box.remove() }, "×"));
  document.body.append(box);
  return box;
}
