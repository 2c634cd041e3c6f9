import type { MigrationObject } from "@mikro-orm/core";
import { MessagingProviders } from "./20261130180000-messaging-providers.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const providerMigrations: MigrationObject[] = [{ name: "20261130180000-messaging-providers", class: MessagingProviders }];
