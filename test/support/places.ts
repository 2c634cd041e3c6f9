// The real packaged places of a few countries (and their subdivisions), loaded into a test server's sys database:
// a full load is ~200,000 places, too slow for a test. Idempotent; returns when the places are in.
import type { Host } from "../../sys/core/host.js";
import { loadPlaces, placesDatabaseOf } from "../../sys/timespace/places/index.js";

export async function loadTestPlaces(server: { host: Host }, countries: string[]): Promise<void> {
  const db = placesDatabaseOf(server.host);
  if (!db) throw new Error("loadTestPlaces needs a server that runs the sys tier in this process");
  await loadPlaces(db, { countries });
}
