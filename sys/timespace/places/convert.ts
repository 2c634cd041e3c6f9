// Places as the API shows them; the proto enum's names, lower-cased, are the stored kinds.
import { create } from "@bufbuild/protobuf";
import { type Place, PlaceKind as ProtoKind, PlaceSchema } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import type { PlaceKind, PlaceRecord } from "../../core/ports/timespace-port.js";

export const kindToProto = (k: PlaceKind): ProtoKind => ProtoKind[k.toUpperCase() as keyof typeof ProtoKind];
export const kindsOf = (kinds: ProtoKind[]): PlaceKind[] => [...new Set(kinds.filter((k) => k !== ProtoKind.UNSPECIFIED).map((k) => ProtoKind[k].toLowerCase() as PlaceKind))];

export function toProto(place: PlaceRecord): Place {
  return create(PlaceSchema, {
    id: place.id,
    kind: kindToProto(place.kind),
    name: place.name,
    countryId: place.countryId,
    countryName: place.countryName,
    subdivisionId: place.subdivisionId ?? "",
    subdivisionName: place.subdivisionName ?? "",
    latitude: place.latitude,
    longitude: place.longitude,
    population: BigInt(place.population ?? 0),
    timeZone: place.timeZone ?? "",
  });
}
