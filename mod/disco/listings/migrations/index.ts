import type { MigrationObject } from "@mikro-orm/core";
import { DiscoInit } from "./20261122000000-mod-disco-init.js";
import { DiscoListingPlaces } from "./20261201000000-mod-disco-listing-places.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const discoMigrations: MigrationObject[] = [
  { name: "20261122000000-mod-disco-init", class: DiscoInit },
  { name: "20261201000000-mod-disco-listing-places", class: DiscoListingPlaces },
];
