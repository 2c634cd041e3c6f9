import type { MigrationObject } from "@mikro-orm/core";
import { MessagingInbound } from "./20261130180100-messaging-inbound.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const inboundMigrations: MigrationObject[] = [{ name: "20261130180100-messaging-inbound", class: MessagingInbound }];
