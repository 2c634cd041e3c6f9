import type { MigrationObject } from "@mikro-orm/core";
import { MessagingBlasts } from "./20261130183200-messaging-blasts.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const blastMigrations: MigrationObject[] = [{ name: "20261130183200-messaging-blasts", class: MessagingBlasts }];
