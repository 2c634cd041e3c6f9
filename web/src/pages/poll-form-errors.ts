// The poll form's errors in plain words: a refused setting is shown beside its control (the server names it in
// ErrorInfo metadata and google.rpc.BadRequest), anything else above the button with the next step.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { h } from "../dom.js";
import { describeError, errorBox } from "../errors.js";

// Proto field (first segment under poll.) → the form control that sets it.
const CONTROL: Record<string, string> = {
  title: "poll-title", body: "poll-body", method: "poll-method", options: "poll-options", topics: "poll-topics",
  opens_at: "poll-opens", closes_at: "poll-closes", time_zone: "poll-zone", eligible_roles: "poll-roles",
  quorum: "poll-quorum", pass_threshold_percent: "poll-threshold", seats: "poll-seats", min_selections: "poll-min",
  max_selections: "poll-max", max_score: "poll-max-score", tie_break_seed: "poll-seed",
};

const PLAIN: Record<string, string> = {
  ETAG_MISMATCH: "Someone changed this poll while you were editing it. Reload the page to see their changes, then edit again.",
  POLL_NOT_EDITABLE: "This poll has been opened, so its settings can no longer be changed.",
  COMMUNITY_ARCHIVED: "This community is archived: it takes no new polls.",
};

export type Problem = [controlId: string, message: string];

export const sentence = (text: string) => {
  const t = text.trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}` : t;
};

/** The settings a server error refuses, as [control, message]; empty when it is not about a setting. */
export function fieldProblems(err: unknown): Problem[] {
  if (!(err instanceof ConnectError)) return [];
  const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => ({ field: v.field, text: v.description })) ?? [];
  if (!violations.length) {
    const { message } = describeError(err);
    const m = /^(poll\.[\w.[\]]+): (.*)$/s.exec(message);
    if (m) violations.push({ field: m[1], text: m[2] });
  }
  const out: Problem[] = [];
  for (const v of violations) {
    const name = v.field.replace(/^poll\./, "").split(/[.[]/)[0].replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const id = CONTROL[name];
    if (id) out.push([id, sentence(v.text)]);
  }
  return out;
}

/** Clears the form's messages, then shows `problems` beside their controls. */
export function showProblems(form: HTMLElement, problems: Problem[]): void {
  for (const el of form.querySelectorAll(".field-error")) el.replaceChildren();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const [id, text] of problems) {
    form.querySelector(`#${id}-error`)?.append(h("span", { role: "alert" }, text));
    form.querySelector(`#${id}`)?.setAttribute("aria-invalid", "true");
  }
  form.querySelector<HTMLElement>(`#${problems[0]?.[0]}`)?.focus();
}

/** The message above the button for an error that is not about one setting; the code stays under Details. */
export function formError(err: unknown): HTMLElement {
  const { reason } = describeError(err);
  const plain = PLAIN[reason];
  if (!plain) return errorBox(err);
  const box = errorBox(err);
  return h("div", { class: "alert error", role: "alert", "data-testid": "error", "data-reason": reason },
    h("span", {}, plain), h("details", {}, h("summary", {}, "Details"), ...box.childNodes));
}

/** A stale etag on a poll that has since been opened: the refusal that matters is that it is no longer a draft. */
export function openedMeanwhile(stale: unknown): ConnectError {
  const why = describeError(stale).message;
  return new ConnectError(`the poll was opened while it was being edited (${why})`, Code.FailedPrecondition, undefined,
    [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "POLL_NOT_EDITABLE", domain: "polity.dev" }) }]);
}
