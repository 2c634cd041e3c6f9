import { defineArea } from "../area.js";

export const contactsArea = defineArea({ entities: [], migrations: [] });
