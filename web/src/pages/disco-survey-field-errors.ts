// A refused request's field violations (google.rpc.BadRequest, from the proto's rules or the handler) shown at
// the controls that set those fields. A control names its field with data-field, as the request spells the
// path after its top-level message ("supply_questions[1].name"), so a violation finds it without a lookup table.
import { ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { h } from "../dom.js";
import { errorBox } from "../errors.js";
import { sentence } from "./poll-form-errors.js";

export interface Violation {
  field: string;
  text: string;
}

/** The request's field violations with `prefix` ("survey.") taken off; a handler's ErrorInfo field counts too. */
export function violationsOf(err: unknown, prefix = ""): Violation[] {
  if (!(err instanceof ConnectError)) return [];
  const strip = (field: string) => (prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field);
  const listed = err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
  if (listed.length) return listed.map((v) => ({ field: strip(v.field), text: sentence(v.description) }));
  const field = err.findDetails(ErrorInfoSchema)[0]?.metadata.field;
  return field ? [{ field: strip(field), text: sentence(err.rawMessage) }] : [];
}

/** Clears the old messages in `form`, marks each violated control and says why beside it. */
export function markViolations(form: HTMLElement, violations: Violation[]): Violation[] {
  for (const el of form.querySelectorAll(".field-error[data-for]")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const unplaced: Violation[] = [];
  let first: HTMLElement | undefined;
  for (const v of violations) {
    const control = controlFor(form, v.field);
    if (!control) {
      unplaced.push(v);
      continue;
    }
    control.setAttribute("aria-invalid", "true");
    const message = h("span", { class: "field-error", role: "alert", "data-for": v.field, "data-testid": "field-error" }, v.text);
    // Beside a control; inside a group of controls (a question's options box), so it stays with them.
    if (control.matches("input, select, textarea")) control.after(message);
    else control.append(message);
    first ??= control;
  }
  first?.focus();
  return unplaced;
}

// The control for "needs[2].options[1]" is the one for "needs[2].options" when no closer one exists.
function controlFor(form: HTMLElement, field: string): HTMLElement | undefined {
  for (let path = field; path; ) {
    const el = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"]`);
    if (el) return el;
    const shorter = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (shorter === path) return undefined;
    path = shorter;
  }
  return undefined;
}

/** Shows `err` at its fields in `form`, and in `slot` whatever is not about a field on the form. */
export function showError(form: HTMLElement, slot: HTMLElement, err: unknown, prefix = ""): void {
  const unplaced = markViolations(form, violationsOf(err, prefix));
  const placed = violationsOf(err, prefix).length - unplaced.length;
  slot.replaceChildren(placed && !unplaced.length ? h("p", { class: "muted" }, "Correct the marked fields and try again.") : errorBox(err));
}
