import type { MigrationObject } from "@mikro-orm/core";
import { MessagingNotifications } from "./20261130190000-messaging-notifications.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const notificationMigrations: MigrationObject[] = [{ name: "20261130190000-messaging-notifications", class: MessagingNotifications }];
