// Stored campaigns ⇄ the proto messages. Progress carries counts only.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Campaign,
  type CampaignProgress,
  CampaignProgressSchema,
  CampaignSchema,
  CampaignStatus,
  MediaKind,
} from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import type { CampaignRow, CampaignStatusName, MediaLinkJson } from "./entities.js";
import type { ThresholdMeasure } from "./progress.js";

const STATUS: Record<CampaignStatusName, CampaignStatus> = {
  draft: CampaignStatus.DRAFT,
  active: CampaignStatus.ACTIVE,
  triggered: CampaignStatus.TRIGGERED,
  closed: CampaignStatus.CLOSED,
};

export const statusToProto = (status: CampaignStatusName): CampaignStatus => STATUS[status];

export function statusFromProto(status: CampaignStatus): CampaignStatusName | undefined {
  return (Object.keys(STATUS) as CampaignStatusName[]).find((name) => STATUS[name] === status);
}

export const mediaKindName = (kind: MediaKind): string => MediaKind[kind]!.toLowerCase();
const mediaKindOf = (name: string): MediaKind => MediaKind[name.toUpperCase() as keyof typeof MediaKind] ?? MediaKind.OTHER;

const stamp = (at: Date | null | undefined) => (at ? timestampFromDate(at) : undefined);

export function progressToProto(campaign: Pick<CampaignRow, "id" | "status" | "triggeredAt">, measures: ThresholdMeasure[]): CampaignProgress {
  return create(CampaignProgressSchema, {
    campaignId: campaign.id,
    status: statusToProto(campaign.status),
    triggeredAt: stamp(campaign.triggeredAt),
    thresholds: measures.map((m) => ({
      thresholdId: m.id,
      label: m.label,
      people: BigInt(m.people),
      totalAmount: m.total,
      peopleRequired: m.peopleRequired,
      totalAmountRequired: m.totalRequired,
      unit: m.unit,
      crossedAt: stamp(m.crossedAt),
    })),
  });
}

export function campaignToProto(row: CampaignRow, measures: ThresholdMeasure[]): Campaign {
  return create(CampaignSchema, {
    id: row.id,
    orgId: row.orgId,
    projectId: row.projectId,
    surveyProjectId: row.surveyProjectId ?? "",
    title: row.title,
    goal: row.goal,
    strategy: row.strategy,
    category: row.category,
    placeId: row.placeId ?? "",
    countryId: row.countryId ?? "",
    status: statusToProto(row.status),
    action: row.actionLocal && row.actionZone
      ? { localTime: row.actionLocal, timeZone: row.actionZone, disambiguation: disambiguationToProto(row.actionDisambiguation), at: stamp(row.actionAt) }
      : undefined,
    thresholds: measures.map((m) => ({
      id: m.id,
      label: m.label,
      supplyQuestionId: m.supplyQuestionId,
      minAmountPerPerson: m.minAmount,
      peopleRequired: m.peopleRequired,
      totalAmountRequired: m.totalRequired,
    })),
    precedents: row.precedents,
    media: row.media.map((m: MediaLinkJson) => ({ kind: mediaKindOf(m.kind), url: m.url, title: m.title })),
    notifyCommunityId: row.notifyCommunityId ?? "",
    createdBy: row.createdBy,
    createdAt: stamp(row.createdAt),
    updateTime: stamp(row.updatedAt),
    progress: progressToProto(row, measures),
  });
}

const DISAMBIGUATIONS = ["earlier", "later", "reject"] as const;
export type DisambiguationName = (typeof DISAMBIGUATIONS)[number];

/** UNSPECIFIED reads as "reject": a skipped or doubled hour is never guessed silently. */
export function disambiguationFromProto(value: number): DisambiguationName {
  return value === 1 ? "earlier" : value === 2 ? "later" : "reject";
}

function disambiguationToProto(name: string | null | undefined): number {
  return name === "earlier" ? 1 : name === "later" ? 2 : 3;
}
