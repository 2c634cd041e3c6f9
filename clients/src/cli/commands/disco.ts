// polity disco …: survey projects and answers, campaigns, discovery, statistics and the bootstrap file, each
// registered by its own file under the one `disco` command.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerBootstrap } from "./disco-bootstrap.js";
import { registerCampaigns } from "./disco-campaigns.js";
import { registerAnswers } from "./disco-answers.js";
import { registerDiscovery } from "./disco-discovery.js";
import { registerStatistics } from "./disco-statistics.js";
import { registerSurveys } from "./disco-surveys.js";

type DiscoRegistrar = (disco: Command, io: Io) => void;

const REGISTRARS: DiscoRegistrar[] = [registerSurveys, registerAnswers, registerDiscovery, registerStatistics, registerBootstrap, registerCampaigns];

export function register(program: Command, io: Io): void {
  const disco = program.command("disco").description("discover orgs, projects and campaigns; surveys, pledges and statistics");
  for (const registrar of REGISTRARS) registrar(disco, io);
}
