// Campaigns, their pledge thresholds and the crossings of those thresholds. The discovery area reads
// disco_campaigns with SQL (id, org_id, project_id, title, goal, category, place_id, country_id, status,
// created_at, deleted_at), and messaging follows the crossings through the DiscoPort: both are contracts.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

export const CAMPAIGN_STATUSES = ["draft", "active", "triggered", "closed"] as const;
export type CampaignStatusName = (typeof CAMPAIGN_STATUSES)[number];

export interface PrecedentJson {
  title: string;
  year: number;
  place: string;
  summary: string;
  url: string;
}

export interface MediaLinkJson {
  kind: string;
  url: string;
  title: string;
}

export const CampaignEntity = defineEntity({
  name: "DiscoCampaign",
  tableName: "disco_campaigns",
  indexes: [{ properties: ["projectId", "createdAt", "id"] }, { properties: ["createdAt", "id"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid().index(),
    projectId: p.uuid(),
    surveyProjectId: p.uuid().nullable().index(),
    title: p.string().length(200),
    goal: p.text(),
    strategy: p.text(),
    category: p.string().length(32),
    placeId: p.string().length(40).nullable(),
    countryId: p.string().length(2).nullable(),
    status: p.string().length(16).$type<CampaignStatusName>(),
    // The organisers' words (local wall-clock time, zone, disambiguation) and the instant they denote.
    actionLocal: p.string().length(19).nullable(),
    actionZone: p.string().length(64).nullable(),
    actionDisambiguation: p.string().length(8).nullable(),
    actionAt: p.datetime().nullable(),
    precedents: p.json().$type<PrecedentJson[]>(),
    media: p.json().$type<MediaLinkJson[]>(),
    notifyCommunityId: p.uuid().nullable(),
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    triggeredAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
  },
});
export type CampaignRow = InferEntity<typeof CampaignEntity>;

export const ThresholdEntity = defineEntity({
  name: "DiscoCampaignThreshold",
  tableName: "disco_campaign_thresholds",
  properties: {
    id: p.uuid().primary(),
    campaignId: p.uuid().index(),
    position: p.integer(),
    label: p.string().length(200),
    supplyQuestionId: p.uuid(),
    minAmount: p.decimal("string").precision(12).scale(2),
    peopleRequired: p.integer(),
    totalRequired: p.decimal("string").precision(14).scale(2),
    crossedAt: p.datetime().nullable(),
  },
});
export type ThresholdRow = InferEntity<typeof ThresholdEntity>;

/**
 * One row per threshold ever crossed, numbered in commit order (the sequence comes from the head row, locked
 * until the crossing's transaction ends), so a follower reading "after N" never skips a late commit.
 */
export const CrossingEntity = defineEntity({
  name: "DiscoCampaignCrossing",
  tableName: "disco_campaign_crossings",
  uniques: [{ properties: ["campaignId", "thresholdId"] }],
  properties: {
    sequence: p.bigint("number").primary().autoincrement(false),
    campaignId: p.uuid(),
    thresholdId: p.uuid(),
    orgId: p.uuid(),
    projectId: p.uuid(),
    // The community told about it (the campaign's at the time), if any.
    communityId: p.uuid().nullable().index(),
    people: p.integer(),
    total: p.decimal("string").precision(14).scale(2),
    crossedAt: p.datetime(),
  },
});
export type CrossingRow = InferEntity<typeof CrossingEntity>;

export const CrossingHeadEntity = defineEntity({
  name: "DiscoCampaignCrossingHead",
  tableName: "disco_campaign_crossing_head",
  properties: {
    id: p.integer().primary().autoincrement(false),
    sequence: p.bigint("number"),
  },
});

export const campaignEntities = [CampaignEntity, ThresholdEntity, CrossingEntity, CrossingHeadEntity];
