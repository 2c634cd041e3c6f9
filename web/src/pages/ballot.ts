// The ballot per voting method: proposal buttons, radio buttons, checkboxes, score sliders, and a ranking
// the voter orders by dragging (native HTML drag and drop) or with up/down buttons from the keyboard.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { ProposalChoice, VotingMethod, type Ballot, type BallotSchema, type Poll } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";

export type BallotInit = MessageInitShape<typeof BallotSchema>;
type Cast = (ballot: BallotInit) => Promise<void>;

const CHOICES: [ProposalChoice, string, string][] = [
  [ProposalChoice.AGREE, "Agree", "agree"], [ProposalChoice.DISAGREE, "Disagree", "disagree"],
  [ProposalChoice.ABSTAIN, "Abstain", "abstain"], [ProposalChoice.BLOCK, "Block", "block"],
];

export function ballotView(poll: Poll, current: Ballot | undefined, cast: Cast): HTMLElement {
  const c = current?.choice;
  switch (poll.method) {
    case VotingMethod.PROPOSAL:
      return h("div", { class: "proposal-choices", role: "group", "aria-label": "Your position" }, CHOICES.map(([value, label, key]) =>
        h("button", { type: "button", class: `choice ${key}`, "data-testid": `choice-${key}`, "aria-pressed": String(c?.case === "proposal" && c.value === value),
          onclick: () => cast({ choice: { case: "proposal", value } }) }, label)));
    case VotingMethod.SINGLE_CHOICE:
      return optionsForm(poll, "radio", (ids) => cast({ choice: { case: "optionId", value: ids[0] ?? "" } }), c?.case === "optionId" ? [c.value] : []);
    case VotingMethod.APPROVAL:
      return optionsForm(poll, "checkbox", (ids) => cast({ choice: { case: "approval", value: { optionIds: ids } } }), c?.case === "approval" ? c.value.optionIds : []);
    case VotingMethod.SCORE:
    case VotingMethod.STAR:
      return scoreForm(poll, cast, c?.case === "scores" ? c.value.scores : {});
    default:
      return rankForm(poll, cast, c?.case === "ranking" ? c.value.ranks.flatMap((g) => g.optionIds) : []);
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
    case "ranking": return c.value.ranks.map((g) => g.optionIds.map(label).join(" = ")).join(" › ");
    default: return "";
  }
}

function optionsForm(poll: Poll, type: "radio" | "checkbox", send: (ids: string[]) => Promise<void>, chosen: string[]): HTMLFormElement {
  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("fieldset", {}, h("legend", {}, type === "radio" ? "Choose one" : "Approve any you support"),
      poll.options.map((o) => h("label", { class: "check option" },
        h("input", { type, name: "option", value: o.id, checked: chosen.includes(o.id), "data-testid": `option-${o.id}` }), " ", o.label,
        o.description ? h("small", { class: "muted" }, ` — ${o.description}`) : null))),
    submitRow(chosen.length > 0));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send([...form.querySelectorAll<HTMLInputElement>("input[name=option]:checked")].map((i) => i.value));
  });
  return form;
}

function scoreForm(poll: Poll, cast: Cast, current: Record<string, number>): HTMLFormElement {
  const max = poll.maxScore || 5;
  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("fieldset", {}, h("legend", {}, `Score each option from 0 to ${max}`),
      poll.options.map((o) => {
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

/** Ranked methods: an ordered list, most preferred first. Every option is ranked. */
function rankForm(poll: Poll, cast: Cast, order: string[]): HTMLFormElement {
  const ids = [...order.filter((id) => poll.options.some((o) => o.id === id)), ...poll.options.map((o) => o.id).filter((id) => !order.includes(id))];
  const list = h("ol", { class: "rank-list", "data-testid": "rank-list", "aria-label": "Your ranking, most preferred first" });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  let dragged: HTMLElement | undefined;

  const renumber = () => list.querySelectorAll<HTMLElement>("li").forEach((li, i) => {
    li.querySelector(".rank-pos")!.textContent = String(i + 1);
    (li.querySelector("[data-move=up]") as HTMLButtonElement).disabled = i === 0;
    (li.querySelector("[data-move=down]") as HTMLButtonElement).disabled = i === list.children.length - 1;
  });
  const move = (li: HTMLElement, dir: -1 | 1) => {
    const sibling = (dir < 0 ? li.previousElementSibling : li.nextElementSibling) as HTMLElement | null;
    if (!sibling) return;
    if (dir < 0) sibling.before(li); else sibling.after(li);
    renumber();
    // Keep the focus on the button just used; at the top or bottom it is disabled, so take its twin instead.
    const same = li.querySelector<HTMLButtonElement>(`[data-move=${dir < 0 ? "up" : "down"}]`)!;
    const other = li.querySelector<HTMLButtonElement>(`[data-move=${dir < 0 ? "down" : "up"}]`)!;
    (same.disabled ? other : same).focus();
    live.textContent = `${li.dataset.label} moved to position ${[...list.children].indexOf(li) + 1}`;
  };

  for (const id of ids) {
    const o = poll.options.find((x) => x.id === id)!;
    const li = h("li", { class: "rank-item", draggable: "true", "data-option": id, "data-label": o.label, "data-testid": `rank-${id}` },
      h("span", { class: "grip", "aria-hidden": "true" }, "⠿"),
      h("span", { class: "rank-pos" }),
      h("span", { class: "rank-label" }, o.label),
      h("span", { class: "rank-moves" },
        h("button", { type: "button", class: "secondary small", "data-move": "up", "aria-label": `Move ${o.label} up`, onclick: () => move(li, -1) }, "↑"),
        h("button", { type: "button", class: "secondary small", "data-move": "down", "aria-label": `Move ${o.label} down`, onclick: () => move(li, 1) }, "↓")));
    li.addEventListener("dragstart", (ev) => {
      dragged = li;
      li.classList.add("dragging");
      ev.dataTransfer?.setData("text/plain", id);
      if (ev.dataTransfer) ev.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragend", () => {
      li.classList.remove("dragging");
      dragged = undefined;
      renumber();
    });
    // The dragged item moves live under the pointer: above the middle of a row goes before it, below after it.
    li.addEventListener("dragover", (ev) => {
      if (!dragged || dragged === li) return;
      ev.preventDefault();
      const box = li.getBoundingClientRect();
      if (ev.clientY < box.top + box.height / 2) li.before(dragged); else li.after(dragged);
      renumber();
    });
    li.addEventListener("drop", (ev) => ev.preventDefault());
    list.append(li);
  }
  renumber();

  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("p", { class: "muted" }, "Drag the options into your order of preference, or use the arrows."), list, live, submitRow(order.length > 0));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const ranks = [...list.querySelectorAll<HTMLElement>("li")].map((li) => ({ optionIds: [li.dataset.option!] }));
    void cast({ choice: { case: "ranking", value: { ranks } } });
  });
  return form;
}
