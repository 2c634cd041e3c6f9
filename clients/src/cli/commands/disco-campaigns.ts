// polity disco campaigns list | get | create | update | delete | watch: a project's campaigns, their pledge
// thresholds and live progress. `watch` prints the progress on every change until the campaign is triggered
// or closed (Ctrl-C to stop); with --json one JSON object per update (JSON Lines).
import { type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import type { Command } from "commander";
import {
  type Campaign,
  type CampaignProgress,
  CampaignSchema,
  CampaignService,
  CampaignStatus,
  GetCampaignResponseSchema,
  ListCampaignsResponseSchema,
  WatchCampaignResponseSchema,
} from "../../gen/polity/mod/disco/v1/campaigns_pb.js";
import { type Survey, SurveyService } from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { isUuid, listAll, pick, resolveCommunity, resolveOrg, resolveProject } from "../resolve.js";
import { action, type Session } from "../session.js";
import { dstOf, mediaOf, precedentOf, statusName, statusOf, type ThresholdFlag, thresholdOf } from "./disco-campaign-flags.js";

const CLEAR = "\x1b[H\x1b[2J";

const clients = new WeakMap<Session, Client<typeof CampaignService>>();
function campaigns(s: Session): Client<typeof CampaignService> {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(CampaignService, s.client.transport)));
  return client;
}

type Where = { project?: string; org?: string };

async function projectOf(s: Session, o: Where): Promise<string> {
  if (!o.project) throw new UsageError("pass --project PROJECT (its id, or its slug with --org)");
  return resolveProject(s, o.org, o.project);
}

/** A campaign by id, or by title or id prefix among the project's campaigns. */
async function resolveCampaign(s: Session, ref: string, o: Where): Promise<{ id: string; projectId: string }> {
  if (isUuid(ref)) return { id: ref, projectId: o.project ? await projectOf(s, o) : "" };
  const projectId = await projectOf(s, o);
  const list = await listAll(async (pageToken) => {
    const res = await campaigns(s).listCampaigns({ projectId, pageSize: 200, pageToken });
    return { items: res.campaigns, next: res.nextPageToken };
  });
  return { id: pick("campaign", ref, list.map((c) => ({ id: c.id, names: [c.title], label: c.title })), `polity disco campaigns list --project ${o.project}`, "a title or an id"), projectId };
}

async function surveyOf(s: Session, projectId: string, ref: string): Promise<Survey> {
  const surveys = createClient(SurveyService, s.client.transport);
  const id = isUuid(ref) ? ref : pick("survey", ref, (await listAll(async (pageToken) => {
    const res = await surveys.listSurveys({ projectId, pageSize: 200, pageToken });
    return { items: res.surveys, next: res.nextPageToken };
  })).map((v) => ({ id: v.id, names: [v.title], label: v.title })), `polity disco surveys list --project ${projectId}`, "a title or an id");
  return (await surveys.getSurvey({ surveyId: id })).survey!;
}

function thresholdsOf(survey: Survey, flags: ThresholdFlag[]) {
  return flags.map((t) => {
    const questions = survey.supplyQuestions.map((q) => ({ id: q.id, names: [q.name], label: `${q.name} (${q.unit})` }));
    const supplyQuestionId = isUuid(t.question) ? t.question : pick("support role", t.question, questions, `polity disco surveys get ${survey.id}`, "a name or an id");
    return { label: t.label, supplyQuestionId, peopleRequired: t.people, minAmountPerPerson: t.min, totalAmountRequired: t.total };
  });
}

const amount = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** One line per threshold: counts only. */
export function progressLines(p: CampaignProgress | undefined): string[] {
  return (p?.thresholds ?? []).map((t) => {
    const parts = [];
    if (t.peopleRequired > 0) parts.push(`${t.people}/${t.peopleRequired} people`);
    if (t.totalAmountRequired > 0) parts.push(`${amount(t.totalAmount)}/${amount(t.totalAmountRequired)} ${t.unit}`);
    else parts.push(`${amount(t.totalAmount)} ${t.unit} pledged`);
    return `${t.label || "threshold"}: ${parts.join(", ")}${t.crossedAt ? ` — reached ${time(t.crossedAt)}` : ""}`;
  });
}

function showCampaign(s: Session, c: Campaign | undefined): void {
  s.emit(GetCampaignResponseSchema, { $typeName: GetCampaignResponseSchema.typeName, campaign: c }, () =>
    printRecord(s.io, {
      id: c?.id, title: c?.title, status: statusName(c?.status ?? CampaignStatus.UNSPECIFIED), project: c?.projectId, category: c?.category,
      place: c?.placeId, goal: c?.goal, strategy: c?.strategy, survey: c?.surveyProjectId,
      action: c?.action ? `${c.action.localTime} ${c.action.timeZone} (${time(c.action.at)})` : "",
      progress: progressLines(c?.progress).join("\n"), triggered: time(c?.progress?.triggeredAt),
      media: (c?.media ?? []).map((m) => m.url).join("\n"), precedents: (c?.precedents ?? []).map((p) => `${p.title}${p.year ? ` (${p.year})` : ""}`).join("\n"),
      notify: c?.notifyCommunityId, created: time(c?.createdAt),
    }),
  );
}

type CampaignInit = Omit<MessageInitShape<typeof CampaignSchema>, "$typeName">;

type Fields = Where & {
  goal?: string; strategy?: string; category?: string; place?: string; survey?: string; threshold?: ThresholdFlag[]; actionAt?: string; zone?: string;
  dst?: number; notify?: string; media?: ReturnType<typeof mediaOf>; precedent?: ReturnType<typeof precedentOf>; status?: CampaignStatus; title?: string;
};

function withFields(cmd: Command): Command {
  return cmd
    .option("--org <org>", "the project's org (slug or id), to name the project by slug")
    .option("--goal <text>", "what the campaign wants to achieve (Markdown)")
    .option("--strategy <text>", "how it acts once triggered (Markdown)")
    .option("--category <slug>", "a category slug, e.g. environment")
    .option("--place <id>", "where: a place id (gn:2988507, FR)")
    .option("--survey <survey>", "the survey whose pledges count (title or id)")
    .option("--threshold <spec>", "question=ROLE,people=N[,min=AMOUNT][,total=AMOUNT][,label=TEXT] (repeat)", thresholdOf)
    .option("--action-at <local>", "when the action happens, local time (2026-06-01T18:00), with --zone")
    .option("--zone <iana>", "the action time's zone (Europe/Paris)")
    .option("--dst <choice>", "a local time a DST change skips or repeats: earlier, later or reject (default)", dstOf)
    .option("--notify <community>", "a community of the org told when a threshold is reached")
    .option("--media <kind=url>", "a media link: video|image|article|audio|social|other=https://… (repeat)", mediaOf)
    .option("--precedent <spec>", "title=…[,year=…][,place=…][,url=https://…] (repeat)", precedentOf);
}

/** The campaign fields the flags set, and their update-mask paths. */
async function fieldsOf(s: Session, projectId: string, o: Fields): Promise<{ fields: CampaignInit; paths: string[] }> {
  const fields: Record<string, unknown> = {};
  const set = (path: string, key: string, value: unknown) => {
    fields[key] = value;
    return path;
  };
  const paths: string[] = [];
  if (o.title !== undefined) paths.push(set("title", "title", o.title));
  if (o.goal !== undefined) paths.push(set("goal", "goal", o.goal));
  if (o.strategy !== undefined) paths.push(set("strategy", "strategy", o.strategy));
  if (o.category !== undefined) paths.push(set("category", "category", o.category));
  if (o.place !== undefined) paths.push(set("place_id", "placeId", o.place));
  if (o.status !== undefined) paths.push(set("status", "status", o.status));
  if (o.media) paths.push(set("media", "media", o.media));
  if (o.precedent) paths.push(set("precedents", "precedents", o.precedent));
  if (o.notify !== undefined) paths.push(set("notify_community_id", "notifyCommunityId", o.notify && (await resolveCommunity(s, o.notify))));
  if (o.actionAt !== undefined) {
    if (!o.zone) throw new UsageError("--action-at needs --zone (an IANA zone such as Europe/Paris)");
    paths.push(set("action", "action", { localTime: o.actionAt, timeZone: o.zone, disambiguation: o.dst ?? 0 }));
  }
  if (o.threshold && !o.survey) throw new UsageError("--threshold counts the pledges of a survey: pass --survey too");
  if (o.survey !== undefined) {
    const survey = await surveyOf(s, projectId, o.survey);
    paths.push(set("survey_project_id", "surveyProjectId", survey.id));
    if (o.threshold) paths.push(set("thresholds", "thresholds", thresholdsOf(survey, o.threshold)));
  }
  return { fields: fields as CampaignInit, paths };
}

export function registerCampaigns(disco: Command, io: Io): void {
  const group = disco.command("campaigns").description("a project's campaigns: pledge thresholds that trigger action, followed live");

  withPaging(group.command("list"))
    .description("list campaigns (drafts too, for a project you manage)")
    .option("--project <project>", "only this project's (id, or slug with --org)")
    .option("--org <org>", "only this org's (slug or id)")
    .option("--status <status>", "draft, active, triggered or closed", statusOf)
    .option("--category <slug>", "only this category")
    .action(action(io, async (s, o: PageOptions & Where & { status?: CampaignStatus; category?: string }) => {
      const projectId = o.project ? await projectOf(s, o) : "";
      const orgId = o.org && !o.project ? await resolveOrg(s, o.org) : "";
      const res = await campaigns(s).listCampaigns({ ...page(o), projectId, orgId, status: o.status ?? 0, category: o.category ?? "" });
      s.emit(ListCampaignsResponseSchema, res, () => {
        printTable(s.io, ["ID", "TITLE", "STATUS", "CATEGORY", "PROGRESS", "CREATED (UTC)"],
          res.campaigns.map((c) => [shortId(c.id), c.title, statusName(c.status), c.category, progressLines(c.progress).join("; "), tableTime(c.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  group.command("get <campaign>").description("show a campaign and its progress (id; or title with --project)")
    .option("--project <project>", "the campaign's project").option("--org <org>", "the project's org")
    .action(action(io, async (s, ref: string, o: Where) => {
      const { id, projectId } = await resolveCampaign(s, ref, o);
      showCampaign(s, (await campaigns(s).getCampaign({ campaignId: id, projectId })).campaign);
    }));

  withFields(group.command("create <title>")).description("create a campaign (a draft unless --active)")
    .requiredOption("--project <project>", "the project (id, or slug with --org)")
    .option("--active", "publish it at once: public, counting pledges")
    .action(action(io, async (s, title: string, o: Fields & { active?: boolean }) => {
      const projectId = await projectOf(s, o);
      const { fields } = await fieldsOf(s, projectId, o);
      const res = await campaigns(s).createCampaign({ projectId, campaign: { ...fields, title, status: o.active ? CampaignStatus.ACTIVE : CampaignStatus.DRAFT } });
      showCampaign(s, res.campaign);
    }));

  withFields(group.command("update <campaign>")).description("change a campaign: only the flags given (thresholds and survey only while a draft)")
    .option("--project <project>", "the campaign's project (id, or slug with --org)")
    .option("--title <title>", "a new title")
    .option("--status <status>", "active or closed", statusOf)
    .action(action(io, async (s, ref: string, o: Fields) => {
      const { id } = await resolveCampaign(s, ref, o);
      const { $typeName: _, ...current } = (await campaigns(s).getCampaign({ campaignId: id })).campaign!;
      const { fields, paths } = await fieldsOf(s, current.projectId, o);
      if (paths.length === 0) throw new UsageError("nothing to change: pass at least one of the field flags");
      const res = await campaigns(s).updateCampaign({ projectId: current.projectId, campaign: { ...current, ...fields, id }, updateMask: { paths } });
      showCampaign(s, res.campaign);
    }));

  group.command("delete <campaign>").description("delete a campaign")
    .option("--project <project>", "the campaign's project (id, or slug with --org)").option("--org <org>", "the project's org")
    .action(action(io, async (s, ref: string, o: Where) => {
      const { id } = await resolveCampaign(s, ref, o);
      const projectId = (await campaigns(s).getCampaign({ campaignId: id })).campaign!.projectId;
      await campaigns(s).deleteCampaign({ projectId, campaignId: id });
      if (!s.json) s.io.stderr(`deleted campaign ${id}\n`);
    }));

  group.command("watch <campaign>").description("follow a campaign's progress live until it is triggered or closed (Ctrl-C to stop)")
    .option("--project <project>", "the campaign's project").option("--org <org>", "the project's org")
    .option("--until-closed", "keep following after it is triggered, until it is closed")
    .action(action(io, async (s, ref: string, o: Where & { untilClosed?: boolean }) => {
      const { id, projectId } = await resolveCampaign(s, ref, o);
      // No deadline: a watch lasts as long as the campaign runs.
      for await (const { progress } of campaigns(s).watchCampaign({ campaignId: id, projectId }, { timeoutMs: 0 })) {
        if (s.json) s.io.stdout(JSON.stringify(toJson(WatchCampaignResponseSchema, { $typeName: WatchCampaignResponseSchema.typeName, progress }, { alwaysEmitImplicit: true })) + "\n");
        else s.io.stdout(`${s.io.interactive ? CLEAR : ""}${statusName(progress?.status ?? 0)}\n${progressLines(progress).map((l) => `  ${l}\n`).join("")}`);
        if (progress?.status === CampaignStatus.CLOSED || (progress?.status === CampaignStatus.TRIGGERED && !o.untilClosed)) break;
      }
    }));
}
