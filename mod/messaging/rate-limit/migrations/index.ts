import type { MigrationObject } from "@mikro-orm/core";
import { MessagingProviderRates } from "./20261130183000-messaging-provider-rates.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const rateLimitMigrations: MigrationObject[] = [{ name: "20261130183000-messaging-provider-rates", class: MessagingProviderRates }];
