// polity notifications show | set [COMMUNITY]: which of a community's voting, governance and campaign events are
// sent to its members as messages. `set` changes only what its flags name: the rest of the settings stay as they are.
import type { Command } from "commander";
import { createClient } from "@connectrpc/connect";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type CommunityNotifications, GetCommunityNotificationsResponseSchema, NotificationService, SetCommunityNotificationsResponseSchema,
} from "../../gen/polity/mod/messaging/v1/notifications_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printRecord } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";

const EVENTS = {
  "poll-opened": "pollOpened",
  "poll-closing-soon": "pollClosingSoon",
  "result-published": "resultPublished",
  "process-outcome": "processOutcome",
  "campaign-threshold-reached": "campaignThresholdReached",
} as const;
type EventFlag = keyof typeof EVENTS;

const client = (s: Session) => createClient(NotificationService, s.client.transport);

function eventsOf(list: string): EventFlag[] {
  const names = list.split(",").map((x) => x.trim()).filter(Boolean);
  const unknown = names.find((n) => !(n in EVENTS));
  if (unknown) throw new UsageError(`"${unknown}" is not an event; use ${Object.keys(EVENTS).join(", ")}`);
  return names as EventFlag[];
}

/** "90m", "24h", "2d" (or plain minutes) → milliseconds. */
export function leadMs(text: string): number {
  const m = /^(\d+)\s*([mhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a lead time; write e.g. 90m, 24h or 2d`);
  return Number(m[1]) * { "": 60_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "m" | "h" | "d"];
}

function show(s: Session, n: CommunityNotifications | undefined): void {
  if (!n) return;
  const event = (key: (typeof EVENTS)[EventFlag]) => {
    const e = n[key];
    return e?.enabled ? `on${e.templateId ? ` (template ${e.templateId})` : ""}` : "off";
  };
  const lead = n.closingSoonLead ? Number(n.closingSoonLead.seconds) / 3600 : 24;
  printRecord(s.io, {
    community: n.communityId,
    "poll opened": event("pollOpened"),
    "poll closing soon": `${event("pollClosingSoon")}, ${Number.isInteger(lead) ? `${lead} h` : `${Math.round(lead * 60)} min`} before`,
    "result published": event("resultPublished"),
    "process outcome": event("processOutcome"),
    "campaign threshold reached": event("campaignThresholdReached"),
    category: n.category || "(none)",
    to: n.roles.length > 0 ? n.roles.join(", ") : "every member",
  });
}

type SetFlags = { on?: string; off?: string; lead?: string; template?: string[]; category?: string; roles?: string };

export function register(program: Command, io: Io): void {
  const p = program.command("notifications").description("a community's notifications: poll opened, closing soon, result, process outcome, campaign threshold reached");

  p.command("show [community]").description("which events are sent to the community's members, and how").action(action(io, async (s, ref: string | undefined) => {
    const res = await client(s).getCommunityNotifications({ communityId: await communityId(s, ref) });
    s.emit(GetCommunityNotificationsResponseSchema, res, () => show(s, res.notifications));
  }));

  p.command("set [community]")
    .description("turn events on or off and choose their lead time, templates, category and recipients")
    .option("--on <events>", `events to send, comma-separated: ${Object.keys(EVENTS).join(", ")}`)
    .option("--off <events>", "events to stop sending, comma-separated")
    .option("--lead <time>", "how long before a poll closes to remind (e.g. 24h, 90m; default 24h)")
    .option("--template <event=id>", "the template of an event (repeatable; an empty id means the built-in text)", (v: string, all: string[] = []) => [...all, v])
    .option("--category <name>", "message category the notifications carry (its service chain applies); \"\" for none")
    .option("--roles <roles>", "notify only these roles (admin, moderator, member, observer); \"\" for every member")
    .action(action(io, async (s, ref: string | undefined, o: SetFlags) => {
      const id = await communityId(s, ref);
      const { notifications: current } = await client(s).getCommunityNotifications({ communityId: id });
      const n = current!;
      for (const e of eventsOf(o.on ?? "")) n[EVENTS[e]] = { ...n[EVENTS[e]]!, enabled: true };
      for (const e of eventsOf(o.off ?? "")) n[EVENTS[e]] = { ...n[EVENTS[e]]!, enabled: false };
      for (const pair of o.template ?? []) {
        const [name, templateId = ""] = pair.split("=", 2);
        const [e] = eventsOf(name);
        if (!e) throw new UsageError(`--template wants EVENT=TEMPLATE_ID, got "${pair}"`);
        n[EVENTS[e]] = { ...n[EVENTS[e]]!, templateId };
      }
      if (o.lead !== undefined) n.closingSoonLead = durationFromMs(leadMs(o.lead));
      if (o.category !== undefined) n.category = o.category;
      if (o.roles !== undefined) n.roles = o.roles.split(",").map((r) => r.trim()).filter(Boolean);
      const res = await client(s).setCommunityNotifications({ notifications: n });
      s.emit(SetCommunityNotificationsResponseSchema, res, () => show(s, res.notifications));
    }));
}
