// Surveys: a project's survey projects (support roles and user needs) and the answers people give them.
import { AnswerService } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { SurveyService } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { createAnonymousAnswerLimit } from "./anonymous-limit.js";
import { createAnswerService } from "./answer-service.js";
import { surveyEntities } from "./entities.js";
import { surveyMigrations } from "./migrations/index.js";
import { createSurveyService } from "./survey-service.js";

export const surveysArea = defineArea({
  entities: surveyEntities as never[],
  migrations: surveyMigrations,
  services: (deps) => [service(SurveyService, createSurveyService(deps)), service(AnswerService, createAnswerService(deps, createAnonymousAnswerLimit()))],
});
