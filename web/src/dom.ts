// A tiny element builder: enough DOM for forms and tables without a framework.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : String(child));
  }
  return el;
}

/** A labelled input; the label's `for` ties it to the input so screen readers and tests find it. */
export function field(label: string, id: string, attrs: Attrs = {}): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id, ...attrs }));
}

export function select(label: string, id: string, options: string[], attrs: Attrs = {}, selected = ""): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id, name: id, ...attrs }, options.map((o) => h("option", { value: o, selected: o === selected }, o))));
}

/** Reads a form's named controls as strings. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) out[k] = typeof v === "string" ? v : "";
  return out;
}

export function table(headers: string[], rows: Child[][], testid: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty", "data-testid": `${testid}-empty` }, "Nothing here yet.");
  return h("div", { class: "table-wrap" },
    h("table", { "data-testid": testid },
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))));
}

export function formatTime(ts: { seconds: bigint; nanos: number } | undefined): string {
  if (!ts) return "";
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)).toLocaleString();
}

// The proto's slug rule as an HTML pattern; browsers compile it with the `v` flag, where "-" needs escaping.
export const SLUG_PATTERN = "[a-z0-9]([a-z0-9\\-]*[a-z0-9])?";
