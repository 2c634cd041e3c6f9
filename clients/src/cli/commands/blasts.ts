// polity blasts create | status | list | pause | resume | cancel: one template sent to every contact a filter
// selects, with live progress (`status --watch`) and controls.
import type { Command } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Blast, BlastService, BlastState, CancelBlastResponseSchema, CreateBlastResponseSchema, GetBlastResponseSchema,
  ListBlastsResponseSchema, PauseBlastResponseSchema, ResumeBlastResponseSchema,
} from "../../gen/polity/mod/messaging/v1/blasts_pb.js";
import { Channel } from "../../gen/polity/mod/messaging/v1/common_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { listAll, pick, resolveCommunity, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";
import { resolveTemplate } from "./templates.js";

type Blasts = Client<typeof BlastService>;
type OrgFlag = { org: string };

const clients = new WeakMap<Session, Blasts>();
function blasts(s: Session): Blasts {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(BlastService, s.client.transport)));
  return client;
}

const stateName = (state: BlastState) => (BlastState[state] ?? String(state)).toLowerCase();

function channelOf(text: string): Channel {
  const value = Channel[text.trim().toUpperCase() as keyof typeof Channel];
  if (typeof value !== "number" || value === Channel.UNSPECIFIED) throw new UsageError(`"${text}" is not a channel; use email, sms, telegram, webhook, slack or discord`);
  return value;
}

function variablesOf(pairs: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError(`--var takes name=value, not "${pair}".`);
    variables[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return variables;
}

function quietHoursOf(text: string | undefined) {
  if (text === undefined) return undefined;
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text.trim());
  if (!m) throw new UsageError(`--quiet-hours takes START-END in 24 h local time, e.g. 21:00-08:00, not "${text}".`);
  return { start: m[1]!, end: m[2]! };
}

function scheduleOf(o: { at?: string; localTime?: string }) {
  if (o.at && o.localTime) throw new UsageError("Pass --at or --local-time, not both.");
  if (o.at) {
    const at = new Date(o.at);
    if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(o.at)) throw new UsageError(`--at takes an instant with its offset, e.g. 2026-12-01T09:00:00Z, not "${o.at}".`);
    return { sendTime: timestampFromDate(at) };
  }
  return { localTime: o.localTime ?? "" };
}

async function resolveBlast(s: Session, orgId: string, ref: string): Promise<string> {
  const list = await listAll(async (pageToken) => {
    const res = await blasts(s).listBlasts({ orgId, pageSize: 100, pageToken });
    return { items: res.blasts, next: res.nextPageToken };
  });
  return pick("blast", ref, list.map((b) => ({ id: b.id, names: [b.name], label: b.name })), "polity blasts list --org ORG", "a name or an id");
}

function progressLine(b: Blast): string {
  const p = b.progress;
  if (!p) return "";
  return `${p.recipientsTotal}${b.expanding ? "+" : ""} recipients: ${p.queued} queued, ${p.sent} sent, ${p.delivered} delivered, ${p.failed} failed, ${p.cancelled} cancelled, ${p.skipped} skipped`;
}

function showBlast(s: Session, b: Blast | undefined): void {
  if (!b) return;
  const f = b.filter;
  printRecord(s.io, {
    id: b.id, name: b.name, state: `${stateName(b.state)}${b.expanding ? " (creating messages)" : ""}`, template: b.templateId,
    filter: [f?.categories.length ? `categories ${f.categories.join(", ")}` : "", f?.communityId ? `community ${f.communityId}` : "", f?.channel ? `channel ${Channel[f.channel]!.toLowerCase()}` : ""].filter(Boolean).join("; ") || "every contact",
    send: b.sendTime ? time(b.sendTime) : b.localTime ? `${b.localTime} in each recipient's zone` : "now",
    "quiet hours": b.quietHours ? `${b.quietHours.start}-${b.quietHours.end}` : "none",
    progress: progressLine(b),
  });
  const providers = b.progress?.providers ?? [];
  if (providers.length) {
    s.io.stdout("\n");
    printTable(s.io, ["SERVICE", "QUEUED", "SENT", "DELIVERED", "FAILED"], providers.map((p) => [p.providerId, String(p.queued), String(p.sent), String(p.delivered), String(p.failed)]));
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command, io: Io): void {
  const c = program.command("blasts").description("send one template to many contacts, with progress and controls");

  c.command("create <name> <template>").description("start a blast of a template (name, id or id prefix) to the contacts a filter selects")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--category <category>", "only contacts with this category (repeat for any of several)", collect, [] as string[])
    .option("--community <community>", "only this community's contacts and members")
    .option("--channel <channel>", "only recipients with a consented address on this channel")
    .option("--language <tag>", "language for recipients without one (default: the template's)", "")
    .option("--var <name=value>", "a template variable (repeat for more; `name` is each recipient's)", collect, [] as string[])
    .option("--at <instant>", "send at this instant (e.g. 2026-12-01T09:00:00Z)")
    .option("--local-time <time>", "send at this wall time in each recipient's time zone (e.g. 2026-12-01T09:00)")
    .option("--quiet-hours <start-end>", "hold sends inside this local window until its end (e.g. 21:00-08:00)")
    .action(action(io, async (s, name: string, templateRef: string, o: OrgFlag & { category: string[]; community?: string; channel?: string; language: string; var: string[]; at?: string; localTime?: string; quietHours?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await blasts(s).createBlast({
        orgId, name, templateId: await resolveTemplate(s, orgId, templateRef), language: o.language,
        filter: { categories: o.category, communityId: o.community ? await resolveCommunity(s, o.community) : "", channel: o.channel ? channelOf(o.channel) : Channel.UNSPECIFIED },
        variables: variablesOf(o.var), ...scheduleOf(o), quietHours: quietHoursOf(o.quietHours),
      });
      s.emit(CreateBlastResponseSchema, res, () => showBlast(s, res.blast));
    }));

  c.command("status <blast>").description("a blast's state and progress (name, id or id prefix)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--watch", "follow the progress until the blast is done or cancelled", false)
    .action(action(io, async (s, ref: string, o: OrgFlag & { watch: boolean }) => {
      const orgId = await resolveOrg(s, o.org);
      const blastId = await resolveBlast(s, orgId, ref);
      if (!o.watch) {
        const res = await blasts(s).getBlast({ orgId, blastId });
        s.emit(GetBlastResponseSchema, res, () => showBlast(s, res.blast));
        return;
      }
      for await (const update of blasts(s).watchBlast({ orgId, blastId })) {
        const b = update.blast!;
        if (s.json) s.io.stdout(`${JSON.stringify({ id: b.id, state: stateName(b.state), expanding: b.expanding, progress: { ...b.progress, providers: undefined } }, (_, v) => (typeof v === "bigint" ? Number(v) : v))}\n`);
        else s.io.stdout(`${new Date().toISOString().slice(11, 19)} ${stateName(b.state)}: ${progressLine(b)}\n`);
      }
    }));

  c.command("list").description("the org's blasts, newest first")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--page-size <n>", "blasts per page", "20")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { pageSize: string; pageToken?: string }) => {
      const res = await blasts(s).listBlasts({ orgId: await resolveOrg(s, o.org), pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" });
      s.emit(ListBlastsResponseSchema, res, () => {
        printTable(s.io, ["ID", "NAME", "STATE", "RECIPIENTS", "QUEUED", "SENT", "DELIVERED", "FAILED", "CREATED"], res.blasts.map((b) => [
          shortId(b.id), b.name, stateName(b.state), `${b.progress?.recipientsTotal ?? 0}${b.expanding ? "+" : ""}`, String(b.progress?.queued ?? 0),
          String(b.progress?.sent ?? 0), String(b.progress?.delivered ?? 0), String(b.progress?.failed ?? 0), time(b.createTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  const control = (verb: "pause" | "resume" | "cancel", description: string) =>
    c.command(`${verb} <blast>`).description(description)
      .requiredOption("--org <org>", "organisation: slug, id or its prefix")
      .action(action(io, async (s, ref: string, o: OrgFlag) => {
        const orgId = await resolveOrg(s, o.org);
        const req = { orgId, blastId: await resolveBlast(s, orgId, ref) };
        if (verb === "pause") {
          const res = await blasts(s).pauseBlast(req);
          s.emit(PauseBlastResponseSchema, res, () => showBlast(s, res.blast));
        } else if (verb === "resume") {
          const res = await blasts(s).resumeBlast(req);
          s.emit(ResumeBlastResponseSchema, res, () => showBlast(s, res.blast));
        } else {
          const res = await blasts(s).cancelBlast(req);
          s.emit(CancelBlastResponseSchema, res, () => showBlast(s, res.blast));
        }
      }));
  control("pause", "stop sending a blast's pending messages until it is resumed");
  control("resume", "continue a paused blast");
  control("cancel", "stop a blast for good: pending messages are cancelled, sent ones stay");
}
