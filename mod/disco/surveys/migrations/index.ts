import type { MigrationObject } from "@mikro-orm/core";
import { DiscoSurveys } from "./20261201000100-mod-disco-surveys.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const surveyMigrations: MigrationObject[] = [{ name: "20261201000100-mod-disco-surveys", class: DiscoSurveys }];
