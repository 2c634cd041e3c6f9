// A project's campaigns (#/disco/projects/<project>/campaigns): drafts too for who may manage them, with the way
// to a new one. Anyone else sees the published ones.
import { api } from "../api.js";
import { formatTime, h, table } from "../dom.js";
import { link } from "../router.js";
import { campaignPath, campaigns, campaignStatusBadge, discoCrumbs, mayManageCampaigns, projectCampaignsPath } from "./disco-client.js";

export async function projectCampaignsPage(projectId: string): Promise<Node> {
  const [manage, project, list] = await Promise.all([
    mayManageCampaigns(projectId),
    api.orgs.getProject({ projectId }).then((r) => r.project, () => undefined),
    campaigns().listCampaigns({ projectId, pageSize: 200 }),
  ]);
  const name = project?.displayName ?? "Project";
  const rows = list.campaigns.map((c) => [
    h("a", { href: link(campaignPath(c.id)), "data-testid": "campaign-link" }, c.title),
    campaignStatusBadge(c.status), c.category, formatTime(c.action?.at),
    manage ? h("a", { href: link(campaignPath(c.id, "/edit")) }, "Edit") : "",
  ]);
  return h("section", { class: "card wide" },
    discoCrumbs(),
    h("h1", { "data-testid": "project-campaigns-title" }, `${name}: campaigns`),
    manage ? h("p", {}, h("a", { class: "button-link", href: link(projectCampaignsPath(projectId, "/new")), "data-testid": "campaign-new" }, "New campaign")) : null,
    table(["Campaign", "Status", "Category", "Action", ""], rows, "project-campaigns"));
}
