// Surveys: a project's survey projects (support roles and user needs) and the answers people give them.
import { defineArea } from "../area.js";
import { surveyEntities } from "./entities.js";
import { surveyMigrations } from "./migrations/index.js";

export const surveysArea = defineArea({
  entities: surveyEntities as never[],
  migrations: surveyMigrations,
});
