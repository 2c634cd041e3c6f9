import { defineArea } from "../area.js";

export const blastsArea = defineArea({ entities: [], migrations: [] });
