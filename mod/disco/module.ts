// mod-disco: organisations publish listings so people can discover projects to join.
import { DiscoService } from "../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { defineModule, service } from "../../sys/core/module.js";
import { createDiscoService } from "./disco-service.js";
import { Listing } from "./entities.js";
import { discoMigrations } from "./migrations/index.js";

export function createDiscoModule() {
  return defineModule({
    id: "disco",
    tier: "mod",
    entities: [Listing as never],
    migrations: discoMigrations,
    services: (ctx) => [service(DiscoService, createDiscoService(ctx.db))],
  });
}
