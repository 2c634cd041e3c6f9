import { defineArea } from "../area.js";

export const messagesArea = defineArea({ entities: [], migrations: [] });
