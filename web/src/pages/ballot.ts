// The ballot per voting method: proposal buttons, radio buttons, checkboxes, score sliders, and a ranking that
// starts empty (rank-ballot.ts). Options are shown in the voter's order (option-order.ts): listed, or shuffled
// per voter when the poll asks for it.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { ProposalChoice, VotingMethod, type Ballot, type BallotSchema, type Poll, type PollOption } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { optionOrder } from "./option-order.js";
import { rankForm } from "./rank-ballot.js";

export type BallotInit = MessageInitShape<typeof BallotSchema>;
type Cast = (ballot: BallotInit) => Promise<void>;

const CHOICES: [ProposalChoice, string, string][] = [
  [ProposalChoice.AGREE, "Agree", "agree"], [ProposalChoice.DISAGREE, "Disagree", "disagree"],
  [ProposalChoice.ABSTAIN, "Abstain", "abstain"], [ProposalChoice.BLOCK, "Block", "block"],
];

/** `voterId` seeds the option order of a poll that shuffles options. */
export function ballotView(poll: Poll, current: Ballot | undefined, cast: Cast, voterId?: string): HTMLElement {
  const c = current?.choice;
  const options = optionOrder(poll, voterId);
  switch (poll.method) {
    case VotingMethod.PROPOSAL:
      return h("div", { class: "proposal-choices", role: "group", "aria-label": "Your position" }, CHOICES.map(([value, label, key]) =>
        h("button", { type: "button", class: `choice ${key}`, "data-testid": `choice-${key}`, "aria-pressed": String(c?.case === "proposal" && c.value === value),
          onclick: () => cast({ choice: { case: "proposal", value } }) }, label)));
    case VotingMethod.SINGLE_CHOICE:
      return optionsForm(options, "radio", (ids) => cast({ choice: { case: "optionId", value: ids[0] ?? "" } }), c?.case === "optionId" ? [c.value] : []);
    case VotingMethod.APPROVAL:
      return optionsForm(options, "checkbox", (ids) => cast({ choice: { case: "approval", value: { optionIds: ids } } }), c?.case === "approval" ? c.value.optionIds : []);
    case VotingMethod.SCORE:
    case VotingMethod.STAR:
      return scoreForm(poll, options, cast, c?.case === "scores" ? c.value.scores : {});
    default:
      return rankForm(options, cast, c?.case === "ranking" ? c.value.ranks.map((g) => g.optionIds) : [], submitRow(c?.case === "ranking"));
  }
}

function submitRow(voted: boolean): HTMLElement {
  return h("button", { type: "submit", "data-testid": "cast-ballot" }, voted ? "Update my ballot" : "Cast ballot");
}

/** A ballot in one line, for when it can no longer change: "Cherry › Bean tree › Apple", "Agree", "Apple: 4, …". */
export function ballotSummary(poll: Poll, ballot: Ballot): string {
  const label = (id: string) => poll.options.find((o) => o.id === id)?.label ?? id;
  const c = ballot.choice;
  switch (c.case) {
    case "proposal": return CHOICES.find(([value]) => value === c.value)?.[1] ?? "";
    case "optionId": return label(c.value);
    case "approval": return c.value.optionIds.map(label).join(", ") || "none approved";
    case "scores": return Object.entries(c.value.scores).map(([id, n]) => `${label(id)}: ${n}`).join(", ");
    case "ranking": return c.value.ranks.map((g) => g.optionIds.map(label).join(" = ")).join(" › ") || "blank (nothing ranked)";
    default: return "";
  }
}

function optionsForm(options: PollOption[], type: "radio" | "checkbox", send: (ids: string[]) => Promise<void>, chosen: string[]): HTMLFormElement {
  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("fieldset", {}, h("legend", {}, type === "radio" ? "Choose one" : "Approve any you support"),
      options.map((o) => h("label", { class: "check option" },
        h("input", { type, name: "option", value: o.id, checked: chosen.includes(o.id), "data-testid": `option-${o.id}` }), " ", o.label,
        o.description ? h("small", { class: "muted" }, ` — ${o.description}`) : null))),
    submitRow(chosen.length > 0));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send([...form.querySelectorAll<HTMLInputElement>("input[name=option]:checked")].map((i) => i.value));
  });
  return form;
}

function scoreForm(poll: Poll, options: PollOption[], cast: Cast, current: Record<string, number>): HTMLFormElement {
  const max = poll.maxScore || 5;
  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("fieldset", {}, h("legend", {}, `Score each option from 0 to ${max}`),
      options.map((o) => {
        const out = h("output", { for: `score-${o.id}`, class: "score-value" }, String(current[o.id] ?? 0));
        const input = h("input", { type: "range", id: `score-${o.id}`, name: o.id, min: 0, max, step: 1, value: current[o.id] ?? 0, "data-testid": `score-${o.id}` });
        input.addEventListener("input", () => (out.textContent = input.value));
        return h("div", { class: "score-row" }, h("label", { for: `score-${o.id}` }, o.label), input, out);
      })),
    submitRow(Object.keys(current).length > 0));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const scores: Record<string, number> = {};
    for (const i of form.querySelectorAll<HTMLInputElement>("input[type=range]")) scores[i.name] = Number(i.value);
    void cast({ choice: { case: "scores", value: { scores } } });
  });
  return form;
}
