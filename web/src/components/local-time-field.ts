// A wall-clock time in a chosen zone (a date-time input and the zone picker), with a preview of the instant it
// denotes in UTC and in the viewer's zone, converted by the server (TimeService.ConvertLocalTime). When a DST
// change skips the time (a gap) or repeats it (an overlap), the field asks which one is meant — earlier or
// later, each shown in UTC — and will not be sent until one is chosen.
import { h } from "../dom.js";
import { browserZone, createZonePicker } from "./zone-picker.js";
import { convertLocalTime, type LocalResolution } from "./timespace-client.js";

/** Which instant a skipped or repeated local time means; "reject" when the time is neither (or none was chosen). */
export type Disambiguation = "earlier" | "later" | "reject";

export interface LocalTimeValue {
  localTime: string;
  timeZone: string;
  disambiguation: Disambiguation;
}

export interface LocalTimeConfig {
  id: string;
  label: string;
  testid: string;
  initial?: LocalTimeValue;
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const inZone = (d: Date, zone?: string) =>
  // (dateStyle cannot go with timeZoneName: the parts are spelled out.)
  new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: zone, timeZoneName: "short" }).format(d);

export function createLocalTimeField(config: LocalTimeConfig): { element: HTMLElement; value(): LocalTimeValue | undefined } {
  const initial = config.initial?.localTime ? config.initial : undefined;
  const local = h("input", { id: `${config.id}-local`, type: "datetime-local", step: 60, value: initial?.localTime.slice(0, 16) ?? "", "data-testid": `${config.testid}-local` });
  const preview = h("p", { class: "zone-preview muted", "data-testid": `${config.testid}-preview`, "aria-live": "polite" });
  const choice = h("div", {});
  let chosen: Disambiguation = initial?.disambiguation ?? "reject";
  let asked = 0;

  const ask = (r: LocalResolution, zone: string) => {
    const words = r.kind === "gap"
      ? `${local.value.replace("T", " ")} does not exist in ${zone}: the clocks jump over it. Which instant is meant?`
      : `${local.value.replace("T", " ")} happens twice in ${zone}: the clocks go back over it. Which one is meant?`;
    const radio = (which: Disambiguation, label: string, at: Date) =>
      h("label", { class: "check" }, h("input", {
        type: "radio", name: `${config.id}-dst`, required: true, value: which, checked: chosen === which,
        "data-testid": `${config.testid}-${which}`,
        onchange: () => { chosen = which; },
      }), ` ${label}: ${inZone(at, zone)} = ${utc(at)}`);
    choice.replaceChildren(h("fieldset", { class: "dst-choice", "data-testid": `${config.testid}-dst`, "data-kind": r.kind },
      h("legend", {}, r.kind === "gap" ? "Skipped local time" : "Repeated local time"), h("p", {}, words),
      radio("earlier", "Earlier", r.earlier), h("br", {}),
      radio("later", "Later", r.later)));
  };

  const refresh = async () => {
    const n = ++asked;
    choice.replaceChildren();
    const zone = zones.value();
    if (!local.value || !zone) return preview.replaceChildren();
    preview.textContent = "Converting…";
    try {
      const r = await convertLocalTime(local.value, zone);
      if (n !== asked) return;
      if (r.kind === "exact") {
        chosen = "reject";
        preview.textContent = `= ${utc(r.earlier)} · ${inZone(r.earlier)} in your zone (${browserZone()})`;
      } else {
        preview.textContent = "";
        ask(r, zone);
      }
    } catch (err) {
      if (n === asked) preview.textContent = `Cannot convert: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  const zones = createZonePicker({ id: `${config.id}-zone`, label: "Time zone", testid: `${config.testid}-zone`, initial: initial?.timeZone, onChange: () => void refresh() });
  local.addEventListener("change", () => void refresh());
  if (initial) void refresh();

  const element = h("fieldset", { class: "local-time", "data-testid": config.testid },
    h("legend", {}, config.label),
    h("div", { class: "fields-row" },
      h("div", { class: "field" }, h("label", { for: `${config.id}-local` }, "Local date and time (leave empty for none)"), local),
      zones.element),
    preview, choice);
  const value = (): LocalTimeValue | undefined => (local.value
    ? { localTime: local.value.slice(0, 16), timeZone: zones.value(), disambiguation: chosen }
    : undefined);
  return { element, value };
}
