import { defineArea } from "../area.js";
import { ChainEntity, ProviderEntity } from "./entities.js";
import { providerMigrations } from "./migrations/index.js";

export const providersArea = defineArea({ entities: [ProviderEntity, ChainEntity], migrations: providerMigrations });
