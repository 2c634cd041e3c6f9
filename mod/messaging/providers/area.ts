import { ProviderService } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { ChainEntity, ProviderEntity } from "./entities.js";
import { providerMigrations } from "./migrations/index.js";
import { createProviderService } from "./service.js";

export const providersArea = defineArea({
  entities: [ProviderEntity, ChainEntity],
  migrations: providerMigrations,
  services: (deps) => [service(ProviderService, createProviderService(deps))],
});
