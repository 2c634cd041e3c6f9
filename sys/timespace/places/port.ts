// The timespace port of a process that runs sys: direct reads of this host's places, and the time library.
import type { Database } from "../../core/db.js";
import type { TimespacePort } from "../../core/ports/timespace-port.js";
import { timeFunctions } from "../time/index.js";
import { resolveOrigin } from "./handlers.js";
import { nearestAmong } from "./nearby.js";
import { getPlaces } from "./place-reads.js";

export function createInProcessTimespace(db: Database): TimespacePort {
  return {
    getPlaces: (ids, language) => getPlaces(db, ids, language),
    nearestAmong: async (origin, candidates, radiusKm) => nearestAmong(db, await resolveOrigin(db, origin), candidates, radiusKm),
    time: timeFunctions,
  };
}
