// A campaign (#/disco/campaigns/<id>), readable by anyone once it left draft: its goal, where and when the action
// happens (in the viewer's zone and in the campaign's own), progress per threshold live through WatchCampaign,
// the strategy, historical precedents and media links. Who may manage the project's campaigns gets an Edit link.
import { h } from "../dom.js";
import { link } from "../router.js";
import { renderMarkdown } from "../markdown.js";
import type { Campaign, CampaignStatus, MediaLink, Precedent } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { pageLanguage, placeLabel } from "../components/timespace-client.js";
import { campaignPath, campaigns, campaignStatusBadge, discoCrumbs, MEDIA_LABEL, mayManageCampaigns, projectCampaignsPath } from "./disco-client.js";
import { progressSection } from "./disco-campaign-progress.js";
import { actionTimeView } from "./disco-action-time.js";
import { pageSignal } from "./voting-shared.js";

export async function campaignPage(campaignId: string): Promise<Node> {
  const { campaign } = await campaigns().getCampaign({ campaignId });
  if (!campaign) throw new Error("No such campaign.");
  const [manage, place] = await Promise.all([
    mayManageCampaigns(campaign.projectId),
    campaign.placeId ? placeLabel(campaign.placeId, pageLanguage()) : Promise.resolve(""),
  ]);
  const signal = pageSignal();
  let badge = campaignStatusBadge(campaign.status);
  const onStatus = (status: CampaignStatus) => {
    const next = campaignStatusBadge(status);
    badge.replaceWith(next);
    badge = next;
  };
  return h("div", { class: "grid", "data-testid": "campaign-page" },
    h("section", { class: "card wide" },
      discoCrumbs(...(manage ? [[projectCampaignsPath(campaign.projectId), "Project campaigns"] as [string, string]] : [])),
      h("h1", { "data-testid": "campaign-title" }, campaign.title, " ", badge),
      facts(campaign, place),
      campaign.goal ? h("div", { "data-testid": "campaign-goal" }, renderMarkdown(campaign.goal)) : null,
      manage ? h("p", {}, h("a", { class: "button-link", href: link(campaignPath(campaign.id, "/edit")), "data-testid": "campaign-edit" }, "Edit campaign")) : null),
    progressSection(campaign.id, campaign.progress, signal, onStatus),
    campaign.strategy ? h("section", { class: "card" }, h("h2", {}, "Strategy"), h("div", { "data-testid": "campaign-strategy" }, renderMarkdown(campaign.strategy))) : null,
    h("div", { class: "stack" }, precedentsSection(campaign.precedents), mediaSection(campaign.media)));
}

function facts(c: Campaign, place: string): HTMLElement {
  const items: Array<[string, Node | string]> = [];
  if (c.action?.at) items.push(["When", actionTimeView(c.action)]);
  if (c.placeId) items.push(["Where", h("span", { "data-testid": "campaign-place", "data-place": c.placeId }, place || c.placeId)]);
  if (c.category) items.push(["Category", h("a", { href: link(`/disco?category=${encodeURIComponent(c.category)}`) }, c.category)]);
  if (!items.length) return h("div", {});
  return h("dl", { class: "facts", "data-testid": "campaign-facts" }, items.flatMap(([k, v]) => [h("dt", { class: "muted" }, k), h("dd", {}, v)]));
}

function precedentsSection(precedents: Precedent[]): HTMLElement | null {
  if (!precedents.length) return null;
  return h("section", { class: "card" }, h("h2", {}, "Precedents"),
    h("ul", { "data-testid": "campaign-precedents" }, precedents.map((p) => {
      const when = [p.year ? String(p.year) : "", p.place].filter(Boolean).join(", ");
      return h("li", {}, p.url ? externalLink(p.url, p.title) : h("strong", {}, p.title),
        when ? h("span", { class: "muted" }, ` (${when})`) : null, p.summary ? h("p", { class: "muted" }, p.summary) : null);
    })));
}

function mediaSection(media: MediaLink[]): HTMLElement | null {
  if (!media.length) return null;
  return h("section", { class: "card" }, h("h2", {}, "Media"),
    h("ul", { "data-testid": "campaign-media" }, media.map((m) => h("li", {},
      h("span", { class: "badge neutral" }, MEDIA_LABEL[m.kind] ?? "link"), " ", externalLink(m.url, m.title || m.url)))));
}

// Links organisers typed: https only (the proto insists), opened apart from the app, with no referrer.
function externalLink(url: string, text: string): HTMLElement {
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, text);
}
