import { defineArea } from "../area.js";

export const templatesArea = defineArea({ entities: [], migrations: [] });
