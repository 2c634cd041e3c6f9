import { defineArea } from "../area.js";
import { contactEntities } from "./entities.js";
import { contactsMigrations } from "./migrations/index.js";

export const contactsArea = defineArea({
  entities: contactEntities as never[],
  migrations: contactsMigrations,
});
