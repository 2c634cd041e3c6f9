// A project's campaigns, matched by title. Thresholds name their survey's supply question by name; the server's
// ids come from the surveys applied just before. A campaign the server moved to "triggered" still counts as the
// file's "active" (the server sets triggered, a file cannot).
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { type Campaign, CampaignService, CampaignStatus, MediaKind } from "../../gen/polity/mod/disco/v1/campaigns_pb.js";
import { listAll } from "../resolve.js";
import type { KnownSurveys } from "./apply-surveys.js";
import { changedFields, type Reporter } from "./report.js";
import type { CampaignSpec } from "./schema.js";

export type CampaignClient = Client<typeof CampaignService>;

const STATUS = { draft: CampaignStatus.DRAFT, active: CampaignStatus.ACTIVE, closed: CampaignStatus.CLOSED } as const;
const MEDIA = { video: MediaKind.VIDEO, image: MediaKind.IMAGE, article: MediaKind.ARTICLE, audio: MediaKind.AUDIO, social: MediaKind.SOCIAL, other: MediaKind.OTHER } as const;
const PLANNED = "(not created yet)";
const seconds = (local: string) => (local.length === 16 ? `${local}:00` : local);

function desiredOf(spec: CampaignSpec, surveys: KnownSurveys, current?: Campaign) {
  const survey = spec.survey ? surveys.get(spec.survey.toLowerCase()) : undefined;
  const status: CampaignStatus = STATUS[spec.status];
  return {
    title: spec.title,
    goal: spec.goal,
    strategy: spec.strategy,
    category: spec.category ?? "",
    placeId: current && spec.place && current.placeId.toLowerCase() === spec.place.toLowerCase() ? current.placeId : spec.place ?? "",
    status: status === CampaignStatus.ACTIVE && current?.status === CampaignStatus.TRIGGERED ? CampaignStatus.TRIGGERED : status,
    action: spec.action ? { localTime: seconds(spec.action.local_time), timeZone: spec.action.time_zone } : undefined,
    surveyProjectId: spec.survey ? survey?.id ?? PLANNED : "",
    thresholds: spec.thresholds.map((t) => ({
      label: t.label, supplyQuestionId: survey?.supply.get(t.question.toLowerCase()) ?? PLANNED,
      minAmountPerPerson: t.min_amount, peopleRequired: t.people ?? 0, totalAmountRequired: t.total ?? 0,
    })),
    precedents: spec.precedents.map((p) => ({ title: p.title, year: p.year, place: p.place, summary: p.summary, url: p.url ?? "" })),
    media: spec.media.map((m) => ({ kind: MEDIA[m.kind] as MediaKind, url: m.url, title: m.title })),
  };
}

type Desired = ReturnType<typeof desiredOf>;

function currentOf(c: Campaign): Desired {
  return {
    title: c.title, goal: c.goal, strategy: c.strategy, category: c.category, placeId: c.placeId, status: c.status,
    action: c.action && c.action.timeZone ? { localTime: seconds(c.action.localTime), timeZone: c.action.timeZone } : undefined,
    surveyProjectId: c.surveyProjectId,
    thresholds: c.thresholds.map((t) => ({ label: t.label, supplyQuestionId: t.supplyQuestionId, minAmountPerPerson: t.minAmountPerPerson, peopleRequired: t.peopleRequired, totalAmountRequired: t.totalAmountRequired })),
    precedents: c.precedents.map((p) => ({ title: p.title, year: p.year, place: p.place, summary: p.summary, url: p.url })),
    media: c.media.map((m) => ({ kind: m.kind, url: m.url, title: m.title })),
  };
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export async function applyCampaigns(client: CampaignClient, projectId: string | undefined, label: string, specs: CampaignSpec[], surveys: KnownSurveys, report: Reporter): Promise<void> {
  if (specs.length === 0) return;
  const current = projectId
    ? await listAll(async (pageToken) => {
      const res = await client.listCampaigns({ projectId, pageSize: 200, pageToken });
      return { items: res.campaigns, next: res.nextPageToken };
    })
    : [];
  for (const spec of specs) {
    const what = `campaign ${label} "${spec.title}"`;
    const existing = current.find((c) => c.title.toLowerCase() === spec.title.toLowerCase());
    const desired = desiredOf(spec, surveys, existing);
    if (!existing) {
      report.note("created", what);
      if (!report.dryRun && projectId) await client.createCampaign({ projectId, campaign: desired });
      continue;
    }
    const fields = changedFields(currentOf(existing), desired);
    report.note(fields.length ? "updated" : "unchanged", what, fields.map(snake));
    if (fields.length && !report.dryRun) {
      await client.updateCampaign({ projectId: projectId!, campaign: { ...desired, id: existing.id }, updateMask: create(FieldMaskSchema, { paths: fields.map(snake) }) });
    }
  }
}
