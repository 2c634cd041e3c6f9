import { defineArea } from "../area.js";
import { TemplateEntity } from "./entities.js";
import { templateMigrations } from "./migrations/index.js";

export const templatesArea = defineArea({ entities: [TemplateEntity], migrations: templateMigrations });
