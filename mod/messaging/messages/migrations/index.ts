import type { MigrationObject } from "@mikro-orm/core";
import { MessagingMessages } from "./20261130184500-messaging-messages.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const messageMigrations: MigrationObject[] = [{ name: "20261130184500-messaging-messages", class: MessagingMessages }];
