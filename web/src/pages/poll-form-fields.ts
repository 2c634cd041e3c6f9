// The poll form's controls: each with a label, a line of help and a place for its own error. Settings that
// apply to some methods only carry data-when and are hidden for the others.
import { h } from "../dom.js";
import { EligibilitySnapshot, VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { METHOD_LABEL } from "./voting-shared.js";
import { browserZone, relevant, timeZones } from "./poll-form-values.js";

type Attrs = Record<string, string | number | boolean | null | undefined>;
type When = keyof ReturnType<typeof relevant>;

// The order a newcomer reads them in: the simple methods first.
const METHOD_ORDER = [VotingMethod.PROPOSAL, VotingMethod.SINGLE_CHOICE, VotingMethod.APPROVAL, VotingMethod.SCORE, VotingMethod.STAR,
  VotingMethod.RANKED_IRV, VotingMethod.SCHULZE, VotingMethod.STV];
export const ROLES = ["admin", "moderator", "member"] as const;

/** A labelled control with its help line and error slot, tied together for screen readers. */
function wrap(id: string, label: string, control: HTMLElement, help: string, when?: When): HTMLElement {
  control.setAttribute("aria-describedby", `${id}-help ${id}-error`);
  return h("div", { class: "field", "data-when": when ?? null, "data-field": id },
    h("label", { for: id }, label), control,
    h("small", { class: "help", id: `${id}-help` }, help),
    h("div", { class: "field-error", id: `${id}-error`, "data-testid": `${id}-error`, "aria-live": "polite" }));
}

const input = (id: string, attrs: Attrs = {}) => h("input", { id, name: id, ...attrs });
const choose = (id: string, options: [string, string][], selected: string) =>
  h("select", { id, name: id }, options.map(([value, label]) => h("option", { value, selected: value === selected }, label)));
const check = (id: string, label: string, checked: boolean, help: string) =>
  h("div", { class: "field", "data-field": id },
    h("label", { class: "check" }, h("input", { type: "checkbox", id, name: id, checked, "aria-describedby": `${id}-help` }), ` ${label}`),
    h("small", { class: "help", id: `${id}-help` }, help));

export function pollFields(mode: "create" | "edit"): HTMLElement[] {
  const here = browserZone();
  // The browser may name its own zone by an alias its list leaves out (Asia/Kolkata beside Asia/Calcutta).
  const zones = timeZones().includes(here) ? timeZones() : [here, ...timeZones()];
  return [
    wrap("poll-title", "Title", input("poll-title", { required: true, minlength: 3, maxlength: 200 }), "The question, in a few words (3 to 200 characters)."),
    wrap("poll-body", "Description", h("textarea", { id: "poll-body", name: "poll-body", rows: 3, maxlength: 20000 }),
      "Background and what is decided, in Markdown. Optional."),
    wrap("poll-method", "Voting method", choose("poll-method", METHOD_ORDER.map((m) => [String(m), METHOD_LABEL[m]]), String(VotingMethod.RANKED_IRV)),
      "How ballots are cast and counted. A proposal asks agree / disagree / abstain / block."),
    wrap("poll-options", "Options, one per line", h("textarea", { id: "poll-options", name: "poll-options", rows: 4, placeholder: "Apples\nBananas\nCherries" }),
      "Type each option on its own line: 2 to 100 options.", "options"),
    wrap("poll-threshold", "Pass threshold (%)", input("poll-threshold", { type: "number", min: 0, max: 100, step: "any", placeholder: "simple majority" }),
      "Share of the votes needed to pass. Empty: more than half for a proposal; for single choice, the most votes wins.", "threshold"),
    h("div", { class: "field-row", "data-when": "approvals" },
      wrap("poll-min", "Fewest approvals", input("poll-min", { type: "number", min: 1, max: 100, placeholder: "1" }), "Least options a ballot must approve. Empty: 1."),
      wrap("poll-max", "Most approvals", input("poll-max", { type: "number", min: 1, max: 100, placeholder: "all" }), "Most options a ballot may approve. Empty: all of them.")),
    wrap("poll-max-score", "Highest score", input("poll-max-score", { type: "number", min: 1, max: 100, value: 5 }),
      "Voters score each option from 0 to this number.", "score"),
    wrap("poll-seats", "Seats", input("poll-seats", { type: "number", min: 1, max: 50, value: 1 }), "How many options are elected.", "seats"),
    wrap("poll-topics", "Topics", input("poll-topics", { placeholder: "budget, parks" }),
      "Comma-separated, lower case. Delegations given for a topic apply to polls with that topic."),
    h("div", { class: "field-row" },
      wrap("poll-quorum", "Quorum", input("poll-quorum", { type: "number", min: 0, step: "any", placeholder: "none" }),
        "Least participation for the result to count. Empty: no quorum."),
      wrap("poll-quorum-kind", "Quorum counts", choose("poll-quorum-kind", [["percent", "% of eligible voters"], ["voters", "voters"]], "percent"),
        "A share of those who may vote, or a number of voters.")),
    h("div", { class: "field-row" },
      wrap("poll-opens", "Opens at", input("poll-opens", { type: "datetime-local" }),
        mode === "create" ? "Optional: the poll opens by itself then. Empty: opened by hand (or at once, below)." : "Optional: the poll opens by itself then."),
      wrap("poll-closes", "Closes at", input("poll-closes", { type: "datetime-local" }), "Optional: the poll closes by itself then. Empty: closed by hand."),
      wrap("poll-zone", "Time zone", choose("poll-zone", zones.map((z) => [z, z.replace(/_/g, " ")]), here),
        "The times above are read in this zone; it is also the zone the schedule is shown in.")),
    wrap("poll-electorate", "Who may vote", choose("poll-electorate", [[String(EligibilitySnapshot.AT_OPEN), "Members when the poll opens"],
      [String(EligibilitySnapshot.AT_CLOSE), "Members when it closes"]], String(EligibilitySnapshot.AT_OPEN)),
      "When the list of voters is fixed. \"When it closes\" lets people who join while the poll is open vote too; the list is recorded at close."),
    h("fieldset", { "data-field": "poll-roles" }, h("legend", {}, "Roles that may vote"),
      h("div", { class: "inline" }, ROLES.map((r) => h("label", { class: "check" },
        h("input", { type: "checkbox", id: `poll-role-${r}`, name: `poll-role-${r}`, checked: true }), ` ${r[0].toUpperCase()}${r.slice(1)}s`))),
      h("small", { class: "help" }, "Community roles whose members may vote. Observers never vote."),
      h("div", { class: "field-error", id: "poll-roles-error", "data-testid": "poll-roles-error", "aria-live": "polite" })),
    wrap("poll-results", "Results visible", choose("poll-results", [["1", "Live, to everyone who can see the poll"], ["2", "To each voter once they have voted"],
      ["3", "Only after the poll closes"]], "1"), "When the running count can be seen."),
    wrap("poll-secrecy", "Ballots", choose("poll-secrecy", [["1", "Public: everyone sees who voted what"], ["2", "Secret: who voted is public, what they voted is not"]], "1"),
      "Whether individual choices are shown."),
    wrap("poll-seed", "Tie-break seed", input("poll-seed", { maxlength: 128, placeholder: "the poll's id" }),
      "Text that fixes the deterministic tie-break, so anyone can recount it. Empty: the poll's id."),
    h("div", { "data-when": "options" }, check("poll-shuffle", "Shuffle options for each voter", false,
      "Each voter sees the options in their own order, so being listed first favours none.")),
    check("poll-delegation", "Count delegated votes", true, "Members who delegated vote through their delegate unless they vote themselves."),
  ];
}

/** Shows only the settings that apply to `method`. */
export function showFor(form: HTMLElement, method: VotingMethod): void {
  const r = relevant(method);
  for (const el of form.querySelectorAll<HTMLElement>("[data-when]")) el.hidden = !r[el.dataset.when as When];
}

/** The named control of a form. */
export function control<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement = HTMLInputElement>(form: HTMLFormElement, id: string): T {
  return form.querySelector<T>(`#${id}`)!;
}
