// A type-ahead on the WAI-ARIA combobox pattern (an input with role=combobox, a listbox popup, the active option
// named by aria-activedescendant so focus never leaves the input): arrow keys move, Enter picks, Escape closes
// (and a second Escape clears). Searches are debounced and a newer keystroke aborts the request before it, so a
// slow answer to an old query never replaces a newer one. The picked value rides in a hidden input named after
// the field, so a form's FormData carries the value, not the label.
import { h } from "../dom.js";

export interface ComboOption {
  value: string;
  label: string;
  /** A second, quieter line (e.g. a country, an offset). */
  detail?: string;
}

export interface ComboboxConfig {
  id: string;
  label: string;
  testid: string;
  search(query: string, signal: AbortSignal): Promise<ComboOption[]>;
  placeholder?: string;
  hint?: string;
  debounceMs?: number;
  /** Fewer characters than this show no list (0: focusing shows the list at once). */
  minChars?: number;
  required?: boolean;
  onChange?(option: ComboOption | undefined): void;
}

export interface Combobox {
  element: HTMLElement;
  input: HTMLInputElement;
  value(): string;
  selected(): ComboOption | undefined;
  /** Shows `option` as chosen (or clears the field), as if picked, and tells onChange. */
  set(option: ComboOption | undefined): void;
}

export function createCombobox(config: ComboboxConfig): Combobox {
  const listId = `${config.id}-list`;
  const hidden = h("input", { type: "hidden", name: config.id, "data-testid": `${config.testid}-value` });
  const input = h("input", {
    id: config.id, type: "text", role: "combobox", autocomplete: "off", spellcheck: "false", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId, placeholder: config.placeholder, required: config.required,
    "aria-describedby": config.hint ? `${config.id}-hint` : null, "data-testid": config.testid,
  });
  const list = h("ul", { id: listId, role: "listbox", class: "combo-list", "aria-label": config.label, hidden: true, "data-testid": `${config.testid}-options` });
  const status = h("span", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  let options: ComboOption[] = [];
  let active = -1;
  let chosen: ComboOption | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;

  const optionId = (i: number) => `${config.id}-opt-${i}`;
  const open = (yes: boolean) => {
    list.hidden = !yes;
    input.setAttribute("aria-expanded", String(yes));
    if (!yes) input.removeAttribute("aria-activedescendant");
  };
  const highlight = (i: number) => {
    active = i;
    for (const [n, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(n === i));
    if (i < 0) return input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-activedescendant", optionId(i));
    list.children[i]?.scrollIntoView({ block: "nearest" });
  };
  const show = (found: ComboOption[]) => {
    options = found;
    list.replaceChildren(...found.map((o, i) => h("li", {
      id: optionId(i), role: "option", "aria-selected": "false", "data-value": o.value,
      // mousedown, not click: the input keeps its focus, so blur does not close the list first.
      onmousedown: (ev: Event) => { ev.preventDefault(); pick(i); },
    }, h("span", {}, o.label), o.detail ? h("small", { class: "muted" }, o.detail) : null)));
    status.textContent = found.length ? `${found.length} suggestions; arrow keys to choose` : "No match";
    if (!found.length) list.replaceChildren(h("li", { class: "muted", role: "presentation", "data-testid": `${config.testid}-none` }, "No match"));
    highlight(-1);
    open(true);
  };
  const set = (option: ComboOption | undefined) => {
    chosen = option;
    hidden.value = option?.value ?? "";
    input.value = option?.label ?? "";
    input.dataset.value = option?.value ?? "";
    config.onChange?.(option);
  };
  const pick = (i: number) => {
    const option = options[i];
    if (!option) return;
    set(option);
    open(false);
  };
  const run = (query = input.value.trim()) => {
    inflight?.abort();
    if (query.length < (config.minChars ?? 1)) return open(false);
    const ac = new AbortController();
    inflight = ac;
    list.setAttribute("aria-busy", "true");
    config.search(query, ac.signal).then((found) => {
      if (inflight === ac) show(found);
    }, (err: unknown) => {
      if (ac.signal.aborted) return;
      options = [];
      list.replaceChildren(h("li", { class: "alert error", role: "presentation", "data-testid": `${config.testid}-error` }, `Search failed: ${err instanceof Error ? err.message : String(err)}`));
      open(true);
    }).finally(() => { if (inflight === ac) list.removeAttribute("aria-busy"); });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(), config.debounceMs ?? 200);
  };

  input.addEventListener("input", () => {
    // Typing over a pick un-picks it: the field never holds a value its text no longer names.
    if (chosen) {
      chosen = undefined;
      hidden.value = "";
      input.dataset.value = "";
      config.onChange?.(undefined);
    }
    schedule();
  });
  input.addEventListener("focus", () => { if (!chosen && (config.minChars ?? 1) === 0) schedule(); });
  input.addEventListener("blur", () => { clearTimeout(timer); open(false); });
  input.addEventListener("keydown", (ev) => {
    const expanded = !list.hidden && options.length > 0;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      // On a picked value, a field that lists without typing (minChars 0) shows the whole list to choose again.
      if (!expanded) return run(chosen && (config.minChars ?? 1) === 0 ? "" : undefined);
      const step = ev.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (ev.key === "Enter" && expanded && active >= 0) {
      ev.preventDefault();
      pick(active);
    } else if (ev.key === "Escape") {
      if (!list.hidden) open(false);
      else set(undefined);
    } else if (ev.key === "Home" && expanded && active >= 0) {
      ev.preventDefault();
      highlight(0);
    } else if (ev.key === "End" && expanded && active >= 0) {
      ev.preventDefault();
      highlight(options.length - 1);
    }
  });

  const element = h("div", { class: "field combo" },
    h("label", { for: config.id }, config.label),
    h("div", { class: "combo-box" }, input, list),
    config.hint ? h("small", { id: `${config.id}-hint`, class: "muted" }, config.hint) : null,
    hidden, status);
  return { element, input, value: () => hidden.value, selected: () => chosen, set };
}
