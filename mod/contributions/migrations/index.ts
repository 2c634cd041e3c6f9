import type { MigrationObject } from "@mikro-orm/core";
import { ContributionsInit } from "./20261130004000-mod-contributions-init.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const contributionsMigrations: MigrationObject[] = [{ name: "20261130004000-mod-contributions-init", class: ContributionsInit }];
