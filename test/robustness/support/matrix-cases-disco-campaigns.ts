// Authorization-matrix cases for CampaignService (to be merged into CASES of matrix-cases.ts). The writes name
// the project ("project/{project_id}", disco.campaign.manage: org admins and the project's admins); the reads
// are public and aim at an active campaign of the org's project (a draft is NOT_FOUND to all but its managers,
// and progress carries counts only: test/disco/campaigns.test.ts). Campaigns are made by the superadmin: one
// published campaign per org for the reads, a fresh draft per cell for the update and the delete.
import { CampaignService, CampaignStatus } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { clientFor } from "../../support/clients.js";
import type { Case, Cell } from "./matrix-cases.js";

const campaigns = (c: Cell) => clientFor(CampaignService, c.fx.url, c.fx.as("superadmin"));

async function draftOf(c: Cell, title: string) {
  const { campaign } = await campaigns(c).createCampaign({ projectId: c.org.projectId, campaign: { title, goal: "Made by the matrix" } });
  return campaign!;
}

// Per fixture org (keyed by its id, so two fixtures never share one).
const published = new Map<string, Promise<string>>();
function publishedOf(c: Cell): Promise<string> {
  let id = published.get(c.org.id);
  if (!id) {
    id = campaigns(c)
      .createCampaign({ projectId: c.org.projectId, campaign: { title: "Matrix campaign", status: CampaignStatus.ACTIVE, category: "matrix" } })
      .then((r) => r.campaign!.id);
    published.set(c.org.id, id);
  }
  return id;
}

export const DISCO_CAMPAIGN_CASES: Record<string, Case> = {
  "CampaignService/CreateCampaign": { variants: { default: (c) => ({ projectId: c.org.projectId, campaign: { title: "Matrix draft" } }) } },
  "CampaignService/GetCampaign": { variants: { default: async (c) => ({ campaignId: await publishedOf(c), projectId: c.org.projectId }) } },
  "CampaignService/ListCampaigns": { variants: { default: (c) => ({ projectId: c.org.projectId }) } },
  "CampaignService/UpdateCampaign": {
    variants: {
      default: async (c) => {
        const { $typeName: _, ...draft } = await draftOf(c, "Matrix update");
        return { projectId: c.org.projectId, campaign: { ...draft, goal: c.who.name }, updateMask: { paths: ["goal"] } };
      },
    },
  },
  "CampaignService/DeleteCampaign": {
    late: true,
    variants: { default: async (c) => ({ projectId: c.org.projectId, campaignId: (await draftOf(c, "Matrix doomed")).id }) },
  },
  "CampaignService/WatchCampaign": { variants: { default: async (c) => ({ campaignId: await publishedOf(c), projectId: c.org.projectId }) } },
};
