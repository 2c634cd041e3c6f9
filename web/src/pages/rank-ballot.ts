// The ranked ballot (instant runoff, Schulze, STV). It starts empty, so no option gains from being listed
// first: the voter picks options into their ranking, orders them by dragging (native HTML drag and drop) or
// with the up/down buttons, may rank one equal to the one above (every ranked method takes equal ranks: IRV and
// STV split the ballot's weight among them, Schulze counts no preference between them) and may leave options
// out (they count below every option ranked).
import { h } from "../dom.js";
import type { PollOption } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { BallotInit } from "./ballot.js";

type Cast = (ballot: BallotInit) => Promise<void>;

/** `options` in the voter's display order; `ranks` the current ballot's groups, if any. */
export function rankForm(options: PollOption[], cast: Cast, ranks: string[][], submit: HTMLElement): HTMLFormElement {
  const known = new Set(options.map((o) => o.id));
  const list = h("ol", { class: "rank-list", "data-testid": "rank-list", "aria-label": "Your ranking, most preferred first" });
  const pool = h("ul", { class: "unranked-list", "data-testid": "unranked-list", "aria-label": "Options not ranked" });
  const emptyNote = h("p", { class: "muted rank-empty", "data-testid": "rank-empty" }, "Nothing ranked yet: add the options you support, most preferred first.");
  const poolBox = h("div", { class: "unranked" }, h("h3", { class: "unranked-title" }, "Not ranked"), pool);
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const problem = h("p", { class: "alert", role: "status", "data-testid": "rank-problem", hidden: true });
  let dragged: HTMLElement | undefined;

  const items = () => [...list.querySelectorAll<HTMLElement>("li")];
  /** Positions as the voter reads them: equal-ranked options share their number. */
  const renumber = () => {
    let pos = 0;
    items().forEach((li, i) => {
      if (i === 0) delete li.dataset.tied;
      if (li.dataset.tied !== "true") pos = i + 1;
      li.querySelector(".rank-pos")!.textContent = String(pos);
      (li.querySelector("[data-move=up]") as HTMLButtonElement).disabled = i === 0;
      (li.querySelector("[data-move=down]") as HTMLButtonElement).disabled = i === list.children.length - 1;
      const tie = li.querySelector<HTMLButtonElement>("[data-move=tie]")!;
      tie.disabled = i === 0;
      tie.setAttribute("aria-pressed", String(li.dataset.tied === "true"));
    });
    emptyNote.hidden = list.children.length > 0;
    poolBox.hidden = pool.children.length === 0;
    problem.hidden = true;
  };
  const say = (text: string) => (live.textContent = text);
  const position = (li: HTMLElement) => li.querySelector(".rank-pos")!.textContent;

  const move = (li: HTMLElement, dir: -1 | 1) => {
    const sibling = (dir < 0 ? li.previousElementSibling : li.nextElementSibling) as HTMLElement | null;
    if (!sibling) return;
    if (dir < 0) sibling.before(li); else sibling.after(li);
    renumber();
    // Keep the focus on the button just used; at the top or bottom it is disabled, so take its twin instead.
    const same = li.querySelector<HTMLButtonElement>(`[data-move=${dir < 0 ? "up" : "down"}]`)!;
    const other = li.querySelector<HTMLButtonElement>(`[data-move=${dir < 0 ? "down" : "up"}]`)!;
    (same.disabled ? other : same).focus();
    say(`${li.dataset.label} moved to position ${position(li)}`);
  };

  const poolItem = (o: PollOption): HTMLElement =>
    h("li", { class: "unranked-item", "data-option": o.id, "data-testid": `unranked-${o.id}` },
      h("button", { type: "button", class: "secondary small", "data-testid": `add-${o.id}`, "aria-label": `Rank ${o.label}`,
        onclick: (ev: Event) => {
          (ev.currentTarget as HTMLElement).closest("li")!.remove();
          const li = rankedItem(o, false);
          list.append(li);
          renumber();
          li.querySelector<HTMLButtonElement>("[data-move=remove]")!.focus();
          say(`${o.label} ranked at position ${position(li)}`);
        } }, "+ ", o.label),
      o.description ? h("small", { class: "muted" }, ` — ${o.description}`) : null);

  const rankedItem = (o: PollOption, tied: boolean): HTMLElement => {
    const li = h("li", { class: "rank-item", draggable: "true", "data-option": o.id, "data-label": o.label, "data-testid": `rank-${o.id}`, "data-tied": tied ? "true" : null },
      h("span", { class: "grip", "aria-hidden": "true" }, "⠿"),
      h("span", { class: "rank-pos" }),
      h("span", { class: "rank-label" }, o.label),
      h("span", { class: "rank-moves" },
        h("button", { type: "button", class: "secondary small", "data-move": "up", "aria-label": `Move ${o.label} up`, onclick: () => move(li, -1) }, "↑"),
        h("button", { type: "button", class: "secondary small", "data-move": "down", "aria-label": `Move ${o.label} down`, onclick: () => move(li, 1) }, "↓"),
        h("button", { type: "button", class: "secondary small", "data-move": "tie", "data-testid": `tie-${o.id}`, "aria-label": `Rank ${o.label} equal to the option above`,
          title: "Equal to the option above", onclick: () => {
            li.dataset.tied = li.dataset.tied === "true" ? "false" : "true";
            renumber();
            say(`${o.label} ${li.dataset.tied === "true" ? "ranked equal to the option above" : "ranked on its own"}, position ${position(li)}`);
          } }, "="),
        h("button", { type: "button", class: "secondary small", "data-move": "remove", "data-testid": `remove-${o.id}`, "aria-label": `Unrank ${o.label}`,
          onclick: () => {
            li.remove();
            // Back in the pool in the voter's display order.
            const at = options.findIndex((x) => x.id === o.id);
            const after = [...pool.children].find((c) => options.findIndex((x) => x.id === (c as HTMLElement).dataset.option) > at);
            pool.insertBefore(poolItem(o), after ?? null);
            renumber();
            say(`${o.label} unranked`);
          } }, "×")));
    li.addEventListener("dragstart", (ev) => {
      dragged = li;
      li.classList.add("dragging");
      ev.dataTransfer?.setData("text/plain", o.id);
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
    return li;
  };

  const byId = new Map(options.map((o) => [o.id, o]));
  const ranked = new Set<string>();
  for (const group of ranks) {
    group.filter((id) => known.has(id) && !ranked.has(id)).forEach((id, k) => {
      ranked.add(id);
      list.append(rankedItem(byId.get(id)!, k > 0));
    });
  }
  for (const o of options) if (!ranked.has(o.id)) pool.append(poolItem(o));
  renumber();

  const form = h("form", { class: "ballot", "data-testid": "ballot" },
    h("p", { class: "muted" }, "Add the options you support in order of preference, then drag them or use the arrows; ",
      "“=” ranks one equal to the option above. You need not rank them all."),
    list, emptyNote, poolBox, live, problem, submit);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const groups: string[][] = [];
    for (const li of items()) {
      if (li.dataset.tied === "true" && groups.length) groups[groups.length - 1].push(li.dataset.option!);
      else groups.push([li.dataset.option!]);
    }
    // Ranking nothing is a blank ballot (you took part; no option gains): said first, cast on the second click.
    if (groups.length === 0 && problem.dataset.blank !== "asked") {
      problem.textContent = "Nothing is ranked: casting now records a blank ballot (you take part, no option gains). Cast again to confirm, or add options first.";
      problem.dataset.blank = "asked";
      problem.hidden = false;
      return;
    }
    delete problem.dataset.blank;
    problem.hidden = true;
    void cast({ choice: { case: "ranking", value: { ranks: groups.map((optionIds) => ({ optionIds })) } } });
  });
  return form;
}
