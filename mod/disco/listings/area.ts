// Listings: an org's public notice (what it does, what help it wants, how to join), browsed by anyone.
import { DiscoService } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { Listing } from "./entities.js";
import { createListingService } from "./listing-service.js";
import { discoMigrations } from "./migrations/index.js";

export const listingsArea = defineArea({
  entities: [Listing as never],
  migrations: discoMigrations,
  services: (deps) => [service(DiscoService, createListingService(deps))],
});
