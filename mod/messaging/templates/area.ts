import { TemplateService } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { TemplateEntity } from "./entities.js";
import { templateMigrations } from "./migrations/index.js";
import { createTemplateService } from "./service.js";

export const templatesArea = defineArea({
  entities: [TemplateEntity],
  migrations: templateMigrations,
  services: (deps) => [service(TemplateService, createTemplateService(deps))],
});
