// polity places search | near | get | locate: the server's reference geography (PlaceService, public, no login
// needed): places by name in any language, places near a place or a point, places by id, and the approximate
// place of an IP address (never stored by the server).
import { createClient, type Client } from "@connectrpc/connect";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  GetPlacesResponseSchema,
  LocateAddressResponseSchema,
  NearbyPlacesResponseSchema,
  type Place,
  PlaceKind,
  PlaceService,
  SearchPlacesResponseSchema,
} from "../../gen/polity/sys/timespace/v1/places_pb.js";
import { int } from "../args.js";
import type { Io } from "../io.js";
import { printRecord, printTable } from "../output.js";
import { action, type Session } from "../session.js";

const KINDS: Record<string, PlaceKind> = { country: PlaceKind.COUNTRY, subdivision: PlaceKind.SUBDIVISION, city: PlaceKind.CITY };
const kindName = (k: PlaceKind) => PlaceKind[k].toLowerCase();

const clients = new WeakMap<Session, Client<typeof PlaceService>>();
function placeService(s: Session): Client<typeof PlaceService> {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(PlaceService, s.client.transport)));
  return client;
}

/** A place id ("FR", "FR-IDF", "gn:2988507") or a point "48.85,2.35". */
function origin(value: string) {
  const point = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (point) return { origin: { case: "point" as const, value: { latitude: Number(point[1]), longitude: Number(point[2]) } } };
  return { origin: { case: "placeId" as const, value } };
}

function radius(value: string): number {
  const km = Number(value);
  if (!Number.isFinite(km) || km <= 0) throw new InvalidArgumentError("expected a positive number of kilometres");
  return km;
}

const kindOption = () => new Option("--kind <kind...>", "only places of these kinds").choices(Object.keys(KINDS));
const languageOption = () => new Option("--lang <bcp47>", "names in this language (e.g. fr, pt-BR)").default("");
const where = (p: Place) => [p.subdivisionName, p.countryName].filter(Boolean).join(", ");
const placeRow = (p: Place) => [p.id, kindName(p.kind), p.name, where(p), p.population ? String(p.population) : "", p.timeZone];

export function register(program: Command, io: Io): void {
  const places = program.command("places").description("countries, subdivisions and cities as the server knows them (no login needed)");

  places.command("search <text>")
    .description("places whose name in any language starts with TEXT (accents ignored, typos tolerated)")
    .addOption(languageOption())
    .addOption(kindOption())
    .option("--country <code>", "only places in this country (alpha-2)")
    .option("--limit <n>", "at most this many (default 10)", int)
    .action(action(io, async (s, text: string, o: { lang: string; kind?: string[]; country?: string; limit?: number }) => {
      const res = await placeService(s).searchPlaces({ query: text, language: o.lang, kinds: (o.kind ?? []).map((k) => KINDS[k]!), countryId: o.country?.toUpperCase() ?? "", limit: o.limit ?? 0 });
      s.emit(SearchPlacesResponseSchema, res, () => printTable(s.io, ["ID", "KIND", "NAME", "IN", "POPULATION", "ZONE"], res.places.map(placeRow)));
    }));

  places.command("near <place-or-point>")
    .description("places within --radius-km of a place id (gn:2988507) or a point (48.85,2.35), nearest first")
    .option("--radius-km <km>", "how far (default 25)", radius, 25)
    .addOption(kindOption())
    .addOption(languageOption())
    .option("--limit <n>", "at most this many (default 20)", int)
    .action(action(io, async (s, from: string, o: { radiusKm: number; kind?: string[]; lang: string; limit?: number }) => {
      const res = await placeService(s).nearbyPlaces({ origin: origin(from), radiusKm: o.radiusKm, kinds: (o.kind ?? []).map((k) => KINDS[k]!), language: o.lang, limit: o.limit ?? 0 });
      s.emit(NearbyPlacesResponseSchema, res, () =>
        printTable(s.io, ["ID", "KIND", "NAME", "IN", "KM"], res.places.map((p) => [p.place!.id, kindName(p.place!.kind), p.place!.name, where(p.place!), p.distanceKm.toFixed(1)])));
    }));

  places.command("get <ids...>")
    .description("places by id (FR, FR-IDF, gn:2988507)")
    .addOption(languageOption())
    .action(action(io, async (s, ids: string[], o: { lang: string }) => {
      const res = await placeService(s).getPlaces({ ids, language: o.lang });
      s.emit(GetPlacesResponseSchema, res, () => printTable(s.io, ["ID", "KIND", "NAME", "IN", "POPULATION", "ZONE", "LAT,LON"], res.places.map((p) => [...placeRow(p), `${p.latitude},${p.longitude}`])));
    }));

  places.command("locate [ip]")
    .description("the approximate country (and city) of IP, or of this client's own address; the server keeps neither")
    .addOption(languageOption())
    .action(action(io, async (s, ip: string | undefined, o: { lang: string }) => {
      const res = await placeService(s).locateAddress({ ip: ip ?? "", language: o.lang });
      s.emit(LocateAddressResponseSchema, res, () =>
        printRecord(s.io, { Found: res.found, Country: res.country ? `${res.country.name} (${res.country.id})` : "", City: res.city ? `${res.city.name} (${res.city.id})` : "" }));
    }));
}
