// The discovery and campaign clients of the web app, on the app's authenticated transport (a visitor's calls go
// out without a token: Search, GetCampaign and WatchCampaign are public), plus the words and paths the
// discovery and campaign pages share.
import { api, serviceClient } from "../api.js";
import { session } from "../session.js";
import { h } from "../dom.js";
import { link } from "../router.js";
import { DiscoveryService, ResultKind } from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import { CampaignService, CampaignStatus, MediaKind } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";

export const discovery = () => serviceClient(DiscoveryService);
export const campaigns = () => serviceClient(CampaignService);

export const KIND_LABEL: Record<number, string> = { [ResultKind.ORG]: "organisation", [ResultKind.PROJECT]: "project", [ResultKind.CAMPAIGN]: "campaign" };
export const KINDS = [ResultKind.ORG, ResultKind.PROJECT, ResultKind.CAMPAIGN];

export const STATUS_LABEL: Record<number, string> = {
  [CampaignStatus.DRAFT]: "draft", [CampaignStatus.ACTIVE]: "active", [CampaignStatus.TRIGGERED]: "triggered", [CampaignStatus.CLOSED]: "closed",
};

export function campaignStatusBadge(status: CampaignStatus): HTMLElement {
  const tone = status === CampaignStatus.ACTIVE ? "ok" : status === CampaignStatus.TRIGGERED ? "warn" : "neutral";
  return h("span", { class: `badge ${tone}`, "data-testid": "campaign-status", "data-status": STATUS_LABEL[status] ?? "" }, STATUS_LABEL[status] ?? "unknown");
}

export const MEDIA_LABEL: Record<number, string> = {
  [MediaKind.VIDEO]: "video", [MediaKind.IMAGE]: "image", [MediaKind.ARTICLE]: "article", [MediaKind.AUDIO]: "audio",
  [MediaKind.SOCIAL]: "social", [MediaKind.OTHER]: "other",
};

export const campaignPath = (campaignId: string, rest = "") => `/disco/campaigns/${campaignId}${rest}`;
export const projectCampaignsPath = (projectId: string, rest = "") => `/disco/projects/${projectId}/campaigns${rest}`;

/** The way back: Discover, then (inside a project's campaigns) the project's list. */
export function discoCrumbs(...trail: Array<[string, string]>): HTMLElement {
  return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: link("/disco") }, "Discover"),
    trail.flatMap(([path, label]) => [" / ", h("a", { href: link(path) }, label)]));
}

/**
 * Whether the visitor may manage the project's campaigns: a hint for which controls to show, asked quietly
 * (CheckMyPermissions writes no audit entry). The server still decides on every call.
 */
export async function mayManageCampaigns(projectId: string): Promise<boolean> {
  if (!session.signedIn() || !projectId) return false;
  try {
    const { decisions } = await api.authz.checkMyPermissions({ resource: `project/${projectId}`, permissions: ["disco.campaign.manage"] });
    return decisions[0]?.allowed ?? false;
  } catch {
    return false;
  }
}
