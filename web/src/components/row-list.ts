// A list of like rows in a form (thresholds, precedents, media links): each row a fieldset of labelled controls
// with a Remove button, and an Add button until the proto's maximum. Controls carry `data-key`, and a row is read
// back by key, so a row's values never depend on its position.
import { h } from "../dom.js";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface RowKind<T> {
  testid: string;
  legend: string;
  addLabel: string;
  max: number;
  /** The row's controls, each labelled (use `rowField`), filled from `initial` when editing. */
  controls(initial: T | undefined, id: (key: string) => string): HTMLElement[];
  read(get: (key: string) => Control): T;
}

let nextRow = 0;

/** A labelled control for a row: `key` names it for reading back, `id` ties the label to it. */
export function rowField(label: string, key: string, id: (key: string) => string, control: Control): HTMLElement {
  control.id = id(key);
  control.dataset.key = key;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

export function createRowList<T>(kind: RowKind<T>, initial: T[] = []): { element: HTMLElement; values(): T[] } {
  const rows = h("div", { class: "rows", "data-testid": kind.testid });
  const add = h("button", { type: "button", class: "secondary small", "data-testid": `${kind.testid}-add` }, kind.addLabel);
  const refresh = () => {
    add.hidden = rows.children.length >= kind.max;
    [...rows.children].forEach((row, i) => { (row.querySelector("legend") as HTMLElement).textContent = `${kind.legend} ${i + 1}`; });
  };
  const append = (value?: T) => {
    const n = ++nextRow;
    const id = (key: string) => `${kind.testid}-${n}-${key}`;
    const row: HTMLFieldSetElement = h("fieldset", { class: "row fields-row", "data-testid": `${kind.testid}-row` },
      h("legend", {}, kind.legend),
      ...kind.controls(value, id),
      h("div", { class: "field" }, h("button", { type: "button", class: "danger small", "data-testid": `${kind.testid}-remove`, onclick: () => { row.remove(); refresh(); } }, "Remove")));
    rows.append(row);
    refresh();
  };
  add.addEventListener("click", () => append());
  for (const value of initial) append(value);
  refresh();
  const values = () => [...rows.children].map((row) => kind.read((key) => row.querySelector(`[data-key="${key}"]`) as Control));
  return { element: h("div", {}, rows, add), values };
}
