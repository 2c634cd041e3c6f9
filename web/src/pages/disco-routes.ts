// Routes of disco in the web app:
//   #/disco                                   discovery: search orgs, projects and campaigns (anyone)
//   #/disco/campaigns/<id>                    a campaign with its live progress (anyone, once it left draft)
//   #/disco/campaigns/<id>/edit               the campaign form (the project's campaign managers)
//   #/disco/projects/<project>/campaigns      a project's campaigns, drafts too for its managers
//   #/disco/projects/<project>/campaigns/new  a new campaign
// and the survey, answer and statistics pages, which disco-survey-routes.ts routes.
import type { Route } from "../router.js";
import { discoSurveyRoute } from "./disco-survey-routes.js";
import { discoveryPage } from "./disco-discovery.js";
import { campaignPage } from "./disco-campaign.js";
import { editCampaignPage, newCampaignPage } from "./disco-campaign-form.js";
import { projectCampaignsPage } from "./disco-campaigns.js";

const SURVEY_SECTIONS = new Set(["surveys", "answer", "answers", "stats"]);

export function discoRoute(route: Route): Promise<Node> | Node {
  const [, section = "", id = "", sub = "", action = ""] = route.path;
  if (SURVEY_SECTIONS.has(section)) return discoSurveyRoute(route);
  if (section === "campaigns" && id && sub === "edit") return editCampaignPage(id);
  if (section === "campaigns" && id) return campaignPage(id);
  if (section === "projects" && id && sub === "campaigns" && action === "new") return newCampaignPage(id);
  if (section === "projects" && id && sub === "campaigns") return projectCampaignsPage(id);
  return discoveryPage(route);
}
