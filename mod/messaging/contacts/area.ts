// Contacts and consent: the ContactService, the one-click unsubscribe route, and (recipients.ts) what the other
// areas read of contacts and members.
import { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { createContactService } from "./contact-service.js";
import { contactEntities } from "./entities.js";
import { contactsMigrations } from "./migrations/index.js";
import { createUnsubscribeRoutes } from "./unsubscribe-route.js";

export const contactsArea = defineArea({
  entities: contactEntities as never[],
  migrations: contactsMigrations,
  services: (deps) => [service(ContactService, createContactService(deps))],
  routes: (deps) => createUnsubscribeRoutes(deps),
});
