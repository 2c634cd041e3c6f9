import type { MigrationObject } from "@mikro-orm/core";
import { DiscoCampaigns } from "./20261201000200-mod-disco-campaigns.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const campaignMigrations: MigrationObject[] = [{ name: "20261201000200-mod-disco-campaigns", class: DiscoCampaigns }];
