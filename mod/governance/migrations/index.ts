import type { MigrationObject } from "@mikro-orm/core";
import { GovernanceInit } from "./20261130002000-mod-governance-init.js";
import { GovernanceModuleEvents } from "./20261130194500-mod-governance-module-events.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const governanceMigrations: MigrationObject[] = [
  { name: "20261130002000-mod-governance-init", class: GovernanceInit },
  { name: "20261130194500-mod-governance-module-events", class: GovernanceModuleEvents },
];
