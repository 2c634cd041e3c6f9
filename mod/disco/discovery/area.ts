// Discovery: anyone finds orgs, projects and campaigns to join by text, category and distance from a place. It
// owns no table: it reads the listings and campaigns areas' published rows.
import { DiscoveryService } from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { createDiscoveryService } from "./discovery-service.js";

export const discoveryArea = defineArea({
  entities: [],
  migrations: [],
  services: (deps) => [service(DiscoveryService, createDiscoveryService(deps))],
});
