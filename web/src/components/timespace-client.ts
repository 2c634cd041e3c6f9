// What the pickers ask sys's timespace: places (PlaceService: search, names by id, the visitor's approximate
// place) and time zones (TimeService: zones with their offsets now, local time → instant with the DST readings).
// Both services are public reference data; the calls go out on the app's transport like every other.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { serviceClient } from "../api.js";
import { Disambiguation, LocalTimeKind, TimeService } from "../../../clients/src/gen/polity/sys/timespace/v1/time_pb.js";
import { PlaceKind, PlaceService, type Place } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import type { ComboOption } from "./combobox.js";

/** The page's language for place names: the browser's first preference, as BCP 47. */
export const pageLanguage = (): string => navigator.language || "en";

const time = () => serviceClient(TimeService);
const places = () => serviceClient(PlaceService);

export { PlaceKind };

const KIND_WORD: Record<number, string> = { [PlaceKind.COUNTRY]: "country", [PlaceKind.SUBDIVISION]: "region", [PlaceKind.CITY]: "city" };

/** "Lyon, Auvergne-Rhône-Alpes, France"; a region "Île-de-France, France"; a country its name. */
export function placeText(p: Place): string {
  const parts = [p.name, p.kind === PlaceKind.COUNTRY ? "" : p.subdivisionName, p.kind === PlaceKind.COUNTRY ? "" : p.countryName];
  return parts.filter((x, i) => x && parts.indexOf(x) === i).join(", ");
}

const optionOf = (p: Place): ComboOption => ({ value: p.id, label: placeText(p), detail: KIND_WORD[p.kind] });

export async function searchPlaces(query: string, language: string, kinds: PlaceKind[], signal: AbortSignal): Promise<ComboOption[]> {
  const res = await places().searchPlaces({ query, language, kinds, limit: 10 }, { signal });
  return res.places.map(optionOf);
}

/** A place's words in `language`, or its id when the server does not know it (any more). */
export async function placeLabel(id: string, language: string): Promise<string> {
  const res = await places().getPlaces({ ids: [id], language }).catch(() => undefined);
  const place = res?.places[0];
  return place ? placeText(place) : id;
}

/**
 * The visitor's approximate city (else country) from their network address, as a suggestion; undefined when
 * unknown (a private address, no GeoIP database). The server keeps neither the address nor the answer.
 */
export async function locateMe(language: string, kinds: PlaceKind[] = []): Promise<ComboOption | undefined> {
  const res = await places().locateAddress({ language });
  if (!res.found) return undefined;
  const wanted = (p: Place | undefined) => p && (!kinds.length || kinds.includes(p.kind));
  const place = wanted(res.city) ? res.city : wanted(res.country) ? res.country : undefined;
  return place ? optionOf(place) : undefined;
}

export interface ZoneEntry {
  name: string;
  offsetMinutes: number;
  abbreviation: string;
}

export async function listZones(): Promise<ZoneEntry[]> {
  const { zones } = await time().listZones({});
  return zones.map((z) => ({ name: z.name, offsetMinutes: z.offsetMinutes, abbreviation: z.abbreviation }));
}

/** A local time's instant; for a gap or an overlap, its two readings (equal for an exact time). */
export interface LocalResolution {
  kind: "exact" | "gap" | "overlap";
  earlier: Date;
  later: Date;
}

export async function convertLocalTime(local: string, zone: string): Promise<LocalResolution> {
  // EARLIER answers for every kind of local time, with both readings of a gap or an overlap.
  const res = await time().convertLocalTime({ localTime: local, zone, disambiguation: Disambiguation.EARLIER });
  const earlier = res.earlier ? timestampDate(res.earlier) : timestampDate(res.instant!);
  const later = res.later ? timestampDate(res.later) : earlier;
  const kind = res.kind === LocalTimeKind.GAP ? "gap" : res.kind === LocalTimeKind.OVERLAP ? "overlap" : "exact";
  return { kind, earlier, later };
}

