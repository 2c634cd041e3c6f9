// Statistics: what a survey's respondents pledge and need, counted per place, age range and time, for the
// project's admins, with every group and cell below the minimum group size suppressed. Reads the surveys
// area's tables; owns none.
import { StatisticsService } from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { createStatisticsService } from "./statistics-service.js";

export const statisticsArea = defineArea({
  entities: [],
  migrations: [],
  services: (deps) => [service(StatisticsService, createStatisticsService(deps))],
});
