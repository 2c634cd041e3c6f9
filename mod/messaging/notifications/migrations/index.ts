import type { MigrationObject } from "@mikro-orm/core";
import { MessagingNotifications } from "./20261130190000-messaging-notifications.js";
import { MessagingNotificationsDisco } from "./20261201000300-messaging-notifications-disco.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const notificationMigrations: MigrationObject[] = [
  { name: "20261130190000-messaging-notifications", class: MessagingNotifications },
  { name: "20261201000300-messaging-notifications-disco", class: MessagingNotificationsDisco },
];
