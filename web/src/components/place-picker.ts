// The place picker: a type-ahead over timespace's places (PlaceService.SearchPlaces in the page's language,
// "City, Subdivision, Country"), whose value is the place id ("gn:2988507", "FR"). It may preselect the
// visitor's approximate country or city from their address (PlaceService.LocateAddress) when the field starts
// empty; that is only a suggestion, said next to the field, and nothing is stored unless the form is sent.
import { h } from "../dom.js";
import { createCombobox } from "./combobox.js";
import { locateMe, pageLanguage as language, placeLabel, PlaceKind, searchPlaces } from "./timespace-client.js";

export interface PlacePickerConfig {
  id: string;
  label: string;
  testid: string;
  /** A place id to show chosen at first. */
  initial?: string;
  /** Preselect from the visitor's address when there is no initial place. */
  locate?: boolean;
  required?: boolean;
  /** Only these kinds of place (every kind when empty). */
  kinds?: PlaceKind[];
  onChange?(placeId: string): void;
}

export { PlaceKind };

export interface PlacePicker {
  element: HTMLElement;
  value(): string;
}

export function createPlacePicker(config: PlacePickerConfig): PlacePicker {
  const note = h("small", { class: "muted", "data-testid": `${config.testid}-located`, hidden: true });
  // Both datasets are CC BY 4.0: their attribution goes wherever their answers are shown.
  const credit = (what: string, name: string, href: string) => [what, h("a", { href, target: "_blank", rel: "noopener" }, name)];
  const attribution = h("small", { class: "muted", "data-testid": `${config.testid}-attribution` }, credit("Places from ", "GeoNames", "https://www.geonames.org/"));
  const combo = createCombobox({
    id: config.id, label: config.label, testid: config.testid, required: config.required,
    placeholder: "Type a city or a country", hint: "Type a few letters, then pick with the arrow keys and Enter.",
    search: (query, signal) => searchPlaces(query, language(), config.kinds ?? [], signal),
    onChange: (option) => {
      // A pick of one's own replaces the suggestion, and so does clearing it.
      if (combo?.selected() !== located) note.hidden = true;
      config.onChange?.(option?.value ?? "");
    },
  });
  let located: ReturnType<typeof combo.selected>;
  if (config.initial) {
    const id = config.initial;
    combo.set({ value: id, label: id });
    void placeLabel(id, language()).then((label) => { if (combo.value() === id) combo.set({ value: id, label }); });
  } else if (config.locate) {
    void locateMe(language(), config.kinds).then((place) => {
      // Only into a field the visitor has not touched meanwhile.
      if (!place || combo.value() || combo.input.value) return;
      combo.set(place);
      located = combo.selected();
      note.replaceChildren(
        "Suggested from your approximate location (your network address); change it freely. Nothing is stored unless you save the form. ",
        ...credit("IP Geolocation by ", "DB-IP", "https://db-ip.com"),
      );
      note.hidden = false;
    }, () => undefined);
  }
  combo.element.append(note, attribution);
  return { element: combo.element, value: combo.value };
}
