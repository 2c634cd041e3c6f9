// Campaigns: a project's call to action that triggers once enough people have pledged enough (thresholds on a
// survey project's supply questions), followed live, and announced through messaging when a threshold is crossed.
import { CampaignService } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { pledgesChanged } from "./crossings.js";
import { campaignEntities } from "./entities.js";
import { campaignMigrations } from "./migrations/index.js";
import { createCampaignService } from "./service.js";

export const campaignsArea = defineArea({
  entities: campaignEntities as never[],
  migrations: campaignMigrations,
  services: (deps) => [service(CampaignService, createCampaignService(deps))],
  onPledgesChanged: (_deps, tx, change) => pledgesChanged(tx, change.surveyProjectId),
});
