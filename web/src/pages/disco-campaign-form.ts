// The campaign form, for a project's new campaign (#/disco/projects/<project>/campaigns/new) and for editing one
// (#/disco/campaigns/<id>/edit): title, category, the survey whose pledges count, goal and strategy (Markdown),
// place (place picker), action time (a local time in a zone, with the DST choice when it needs one), status,
// the community told when a threshold is crossed, thresholds, precedents and media links. The server checks
// everything again; its refusals show above the Save button with the field it names.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { api } from "../api.js";
import { h } from "../dom.js";
import { attempt } from "../errors.js";
import { go } from "../router.js";
import { createRowList } from "../components/row-list.js";
import { createPlacePicker, PlaceKind } from "../components/place-picker.js";
import { createLocalTimeField, type Disambiguation } from "../components/local-time-field.js";
import { ActionTimeDisambiguation, CampaignStatus, type ActionTime, type Campaign, type CampaignSchema } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { campaignPath, campaigns, discoCrumbs, projectCampaignsPath, STATUS_LABEL } from "./disco-client.js";
import { mediaRows, precedentRows, thresholdRows } from "./disco-campaign-rows.js";
import { surveyChoices, type SurveyChoice } from "./disco-campaign-surveys.js";

type CampaignInit = MessageInitShape<typeof CampaignSchema>;

// The moves UpdateCampaign allows from each status (triggered is the server's to set).
const NEXT: Record<number, CampaignStatus[]> = {
  [CampaignStatus.DRAFT]: [CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.CLOSED],
  [CampaignStatus.ACTIVE]: [CampaignStatus.ACTIVE, CampaignStatus.CLOSED],
  [CampaignStatus.TRIGGERED]: [CampaignStatus.TRIGGERED, CampaignStatus.CLOSED],
  [CampaignStatus.CLOSED]: [CampaignStatus.CLOSED],
};
const ON_CREATE = [CampaignStatus.DRAFT, CampaignStatus.ACTIVE];

const DISAMBIGUATION: Record<Disambiguation, ActionTimeDisambiguation> = {
  earlier: ActionTimeDisambiguation.EARLIER, later: ActionTimeDisambiguation.LATER, reject: ActionTimeDisambiguation.REJECT,
};
const disambiguationOf = (d: ActionTimeDisambiguation): Disambiguation =>
  d === ActionTimeDisambiguation.EARLIER ? "earlier" : d === ActionTimeDisambiguation.LATER ? "later" : "reject";
const actionInitial = (a: ActionTime | undefined) => (a?.localTime ? { localTime: a.localTime, timeZone: a.timeZone, disambiguation: disambiguationOf(a.disambiguation) } : undefined);

export async function newCampaignPage(projectId: string): Promise<Node> {
  return campaignForm(projectId, undefined);
}

export async function editCampaignPage(campaignId: string): Promise<Node> {
  const { campaign } = await campaigns().getCampaign({ campaignId });
  if (!campaign) throw new Error("No such campaign.");
  return campaignForm(campaign.projectId, campaign);
}

async function campaignForm(projectId: string, existing: Campaign | undefined): Promise<Node> {
  const [{ project }, surveys] = await Promise.all([api.orgs.getProject({ projectId }), surveyChoices(projectId)]);
  const communities = project ? (await api.communities.listCommunities({ orgId: project.orgId, pageSize: 200 }).catch(() => undefined))?.communities ?? [] : [];
  // Thresholds and the survey are fixed once a campaign left draft (the server refuses to change them).
  const fixed = !!existing && existing.status !== CampaignStatus.DRAFT;
  const input = (id: string, label: string, attrs: Record<string, string | number | boolean>, value = "") =>
    h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id, "data-testid": id, value, ...attrs }));
  const area = (id: string, label: string, value = "", rows = 5, maxlength = 10000) =>
    h("div", { class: "field" }, h("label", { for: id }, label), h("textarea", { id, name: id, rows, maxlength, "data-testid": id }, value));

  const survey = h("select", { id: "campaign-survey", name: "campaign-survey", disabled: fixed, "data-testid": "campaign-survey" },
    h("option", { value: "" }, "No survey (no thresholds)"),
    surveys.map((s) => h("option", { value: s.id, selected: s.id === existing?.surveyProjectId }, s.title)));
  const rolesOf = (id: string): SurveyChoice["roles"] => surveys.find((s) => s.id === id)?.roles ?? [];
  const thresholdSlot = h("div", {});
  let thresholds = createRowList(thresholdRows(rolesOf(survey.value)), existing?.thresholds ?? []);
  thresholdSlot.replaceChildren(thresholds.element);
  // Another survey has other support roles: the rows keep what was typed, with the new survey's roles to pick.
  survey.addEventListener("change", () => {
    thresholds = createRowList(thresholdRows(rolesOf(survey.value)), thresholds.values());
    thresholdSlot.replaceChildren(thresholds.element);
  });
  const precedents = createRowList(precedentRows, existing?.precedents ?? []);
  const media = createRowList(mediaRows, existing?.media ?? []);
  const place = createPlacePicker({ id: "campaign-place", label: "Place (city or country)", testid: "campaign-place", initial: existing?.placeId, locate: !existing,
    kinds: [PlaceKind.CITY, PlaceKind.COUNTRY] });
  const action = createLocalTimeField({ id: "campaign-action", label: "Action time", testid: "campaign-action", initial: actionInitial(existing?.action) });
  const statuses = existing ? NEXT[existing.status] ?? [existing.status] : ON_CREATE;
  const status = h("select", { id: "campaign-status", name: "campaign-status", "data-testid": "campaign-status-select" },
    statuses.map((s) => h("option", { value: String(s), selected: s === (existing?.status ?? CampaignStatus.DRAFT) }, STATUS_LABEL[s])));
  const notify = h("select", { id: "campaign-notify", name: "campaign-notify", "data-testid": "campaign-notify" },
    h("option", { value: "" }, "Nobody"),
    communities.map((c) => h("option", { value: c.id, selected: c.id === existing?.notifyCommunityId }, c.name)));

  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const save = h("button", { type: "submit", "data-testid": "campaign-save" }, existing ? "Save campaign" : "Create campaign");
  const form = h("form", { "data-testid": "campaign-form", novalidate: false },
    input("campaign-title", "Title", { required: true, minlength: 3, maxlength: 200 }, existing?.title),
    h("div", { class: "fields-row" },
      input("campaign-category", "Category (a slug, e.g. climate)", { maxlength: 32, pattern: "[a-z0-9][a-z0-9\\-]*" }, existing?.category),
      h("div", { class: "field" }, h("label", { for: "campaign-status" }, "Status"), status),
      h("div", { class: "field" }, h("label", { for: "campaign-notify" }, "Community told when a threshold is reached"), notify)),
    area("campaign-goal", "Goal (Markdown)", existing?.goal, 5, 10000),
    area("campaign-strategy", "Strategy: how the action unfolds once triggered (Markdown)", existing?.strategy, 6, 20000),
    place.element, action.element,
    h("fieldset", { disabled: fixed }, h("legend", {}, "Pledge thresholds"),
      fixed ? h("p", { class: "muted" }, "The survey and thresholds are fixed once the campaign is active.") : null,
      h("div", { class: "field" }, h("label", { for: "campaign-survey" }, "Survey whose pledges count"), survey), thresholdSlot),
    h("fieldset", {}, h("legend", {}, "Historical precedents"), precedents.element),
    h("fieldset", {}, h("legend", {}, "Media links"), media.element),
    slot, save);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value.trim();
    const wanted = Number(status.value) as CampaignStatus;
    const when = action.value();
    const campaign: CampaignInit = {
      title: value("campaign-title"), category: value("campaign-category"), goal: value("campaign-goal"), strategy: value("campaign-strategy"),
      placeId: place.value(), action: when && { ...when, disambiguation: DISAMBIGUATION[when.disambiguation] }, status: wanted, notifyCommunityId: notify.value,
      surveyProjectId: survey.value, thresholds: thresholds.values(), precedents: precedents.values(), media: media.values(),
    };
    save.disabled = true;
    let id = existing?.id ?? "";
    const ok = await attempt(slot, async () => {
      if (!existing) {
        id = (await campaigns().createCampaign({ projectId, campaign })).campaign?.id ?? "";
        return;
      }
      const paths = ["title", "category", "goal", "strategy", "place_id", "action", "notify_community_id", "precedents", "media"];
      if (!fixed) paths.push("survey_project_id", "thresholds");
      if (wanted !== existing.status) paths.push("status");
      await campaigns().updateCampaign({ projectId, campaign: { ...campaign, id: existing.id }, updateMask: { paths } });
    });
    save.disabled = false;
    if (ok && id) go(campaignPath(id));
  });

  const title = existing ? `Edit “${existing.title}”` : "New campaign";
  return h("section", { class: "card wide" },
    discoCrumbs([projectCampaignsPath(projectId), `${project?.displayName ?? "Project"} campaigns`]),
    h("h1", { "data-testid": "campaign-form-title" }, title), form);
}
