// Names the places of one page of results in the asked language. Naming is a courtesy: when sys's places are
// unreachable the results still come, with the place ids and countries stored beside them.
import { Code, ConnectError } from "@connectrpc/connect";
import type { SearchPlace } from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import type { PlaceRecord } from "../../../sys/core/ports/timespace-port.js";
import type { DiscoDeps } from "../deps.js";

export async function namePlaces(deps: Pick<DiscoDeps, "timespace" | "logger">, placeIds: string[], language: string): Promise<Map<string, PlaceRecord>> {
  const unique = [...new Set(placeIds)];
  if (unique.length === 0) return new Map();
  try {
    const places = await deps.timespace().getPlaces(unique, language || "en");
    return new Map(places.map((p) => [p.id, p]));
  } catch (error) {
    if (!(error instanceof ConnectError) || error.code !== Code.Unavailable) throw error;
    deps.logger.warn({ err: error }, "discovery: place names unavailable");
    return new Map();
  }
}

export function searchPlaceOf(placeId: string | null, countryId: string | null, named: Map<string, PlaceRecord>): Omit<SearchPlace, "$typeName"> | undefined {
  if (!placeId) return undefined;
  const place = named.get(placeId);
  return { id: placeId, name: place?.name ?? "", countryId: place?.countryId ?? countryId ?? "", countryName: place?.countryName ?? "" };
}
