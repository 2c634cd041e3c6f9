// The time-zone picker: a filterable list of IANA zones (TimeService.ListZones) with their current offsets,
// starting on the browser's own zone. Typing filters by any part of the name ("paris", "america/", "+05:30").
import { createCombobox, type ComboOption } from "./combobox.js";
import { listZones, type ZoneEntry } from "./timespace-client.js";

export interface ZonePickerConfig {
  id: string;
  label: string;
  testid: string;
  /** The zone to show chosen at first; the browser's zone when absent. */
  initial?: string;
  onChange?(zone: string): void;
}

export interface ZonePicker {
  element: HTMLElement;
  value(): string;
}

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** "+05:30" for 330 minutes east of UTC. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const optionOf = (z: ZoneEntry): ComboOption => ({
  value: z.name, label: z.name, detail: `UTC${formatOffset(z.offsetMinutes)}${z.abbreviation && !z.abbreviation.startsWith("GMT") ? ` ${z.abbreviation}` : ""}`,
});

const MAX_SHOWN = 50;

export function createZonePicker(config: ZonePickerConfig): ZonePicker {
  let zones: Promise<ZoneEntry[]> | undefined;
  const all = () => (zones ??= listZones());
  const combo = createCombobox({
    id: config.id, label: config.label, testid: config.testid, minChars: 0, debounceMs: 50, required: true,
    placeholder: "Type to filter, e.g. Paris", hint: "The list shows each zone's offset from UTC now.",
    search: async (query) => {
      const q = query.toLowerCase().replace(/\s+/g, "_");
      const found = (await all()).filter((z) => z.name.toLowerCase().includes(q) || optionOf(z).detail!.toLowerCase().includes(q));
      return found.slice(0, MAX_SHOWN).map(optionOf);
    },
    // Only changes after the first zone is in place: a caller's handler may not be ready while this is built.
    onChange: (option) => { if (ready) config.onChange?.(option?.value ?? ""); },
  });
  const start = config.initial || browserZone();
  let ready = false;
  combo.set({ value: start, label: start });
  ready = true;
  // The offset of the chosen zone, once the list is there.
  void all().then((list) => {
    const zone = list.find((z) => z.name === combo.value());
    if (zone) combo.set(optionOf(zone));
  }, () => undefined);
  return { element: combo.element, value: combo.value };
}
