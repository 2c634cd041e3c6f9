import type { MigrationObject } from "@mikro-orm/core";
import { MessagingContacts } from "./20261130190000-messaging-contacts.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const contactsMigrations: MigrationObject[] = [{ name: "20261130190000-messaging-contacts", class: MessagingContacts }];
