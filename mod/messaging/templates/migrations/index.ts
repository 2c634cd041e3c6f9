import type { MigrationObject } from "@mikro-orm/core";
import { MessagingTemplates } from "./20261130183100-messaging-templates.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const templateMigrations: MigrationObject[] = [{ name: "20261130183100-messaging-templates", class: MessagingTemplates }];
