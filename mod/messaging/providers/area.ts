import { defineArea } from "../area.js";

export const providersArea = defineArea({ entities: [], migrations: [] });
