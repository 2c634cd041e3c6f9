// Authorization-matrix cases for PlaceService (to be merged into CASES of matrix-cases.ts): every RPC is a public
// reference read naming no resource, so each is called once (orgless) and every principal, anonymous included, is
// allowed. Origins are points, so the answers do not depend on which places the matrix server has loaded. Nothing
// here reads anyone's data: LocateAddress answers about the address given (or the caller's own) and keeps nothing.
import type { Case } from "./matrix-cases.js";

const once = (request: Record<string, unknown>): Case => ({ orgless: ["default"], variants: { default: () => request } });
const paris = { origin: { case: "point", value: { latitude: 48.8534, longitude: 2.3488 } } };

export const TIMESPACE_PLACES_CASES: Record<string, Case> = {
  "PlaceService/SearchPlaces": once({ query: "par", language: "fr", limit: 5 }),
  "PlaceService/GetPlaces": once({ ids: ["FR", "gn:2988507"], language: "en" }),
  "PlaceService/NearbyPlaces": once({ origin: paris, radiusKm: 10, limit: 5 }),
  "PlaceService/MeasureDistance": once({ from: paris, to: { origin: { case: "point", value: { latitude: 51.5085, longitude: -0.1257 } } } }),
  "PlaceService/NearestAmong": once({ origin: paris, candidateIds: ["gn:2988507", "FR"], radiusKm: 100 }),
  "PlaceService/LocateAddress": once({ ip: "8.8.8.8" }),
};
