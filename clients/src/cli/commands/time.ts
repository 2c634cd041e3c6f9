// polity time zones | zone | convert | expand | quiet: the server's time-zone answers (TimeService, public, no
// login needed): zones and their DST changes, local times ↔ instants with the skipped and repeated hours of
// DST handled as asked, recurring schedules and quiet hours.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient, type Client } from "@connectrpc/connect";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  CheckQuietHoursResponseSchema,
  ConvertInstantResponseSchema,
  ConvertLocalTimeResponseSchema,
  Disambiguation,
  ExpandRecurrenceResponseSchema,
  GetZoneResponseSchema,
  ListZonesResponseSchema,
  LocalTimeKind,
  TimeService,
} from "../../gen/polity/sys/timespace/v1/time_pb.js";
import { int } from "../args.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";
import { printRecord, printTable, time as isoTime } from "../output.js";
import { action, type Session } from "../session.js";

const DISAMBIGUATIONS: Record<string, Disambiguation> = { earlier: Disambiguation.EARLIER, later: Disambiguation.LATER, reject: Disambiguation.REJECT };
const KIND_NAMES: Record<number, string> = { [LocalTimeKind.EXACT]: "exact", [LocalTimeKind.GAP]: "gap (skipped by a clock change)", [LocalTimeKind.OVERLAP]: "overlap (repeated by a clock change)" };
const WINDOW = /^(\d\d:\d\d)-(\d\d:\d\d)$/;

const clients = new WeakMap<Session, Client<typeof TimeService>>();
function timeService(s: Session): Client<typeof TimeService> {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(TimeService, s.client.transport)));
  return client;
}

/** An instant with its offset ("2026-03-29T01:30:00Z", "2026-03-29T03:30+02:00"). */
function instant(value: string) {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim()) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError("expected an instant with its offset, like 2026-03-29T01:30:00Z");
  }
  return timestampFromDate(new Date(value));
}

/** Minutes east of UTC as "+05:30". */
export function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const disambiguationOption = () => new Option("--disambiguation <how>", "a skipped or repeated local time: take the earlier or later reading, or reject it").choices(Object.keys(DISAMBIGUATIONS));

export function register(program: Command, io: Io): void {
  const time = program.command("time").description("time zones, local times and recurring schedules as the server reckons them (no login needed)");

  time.command("zones [filter]")
    .description("list IANA time zones (optionally those whose name contains FILTER) with their current offset")
    .option("--at <instant>", "offsets at this instant instead of now", instant)
    .action(action(io, async (s, filter: string | undefined, o: { at?: ReturnType<typeof instant> }) => {
      const res = await timeService(s).listZones({ filter: filter ?? "", at: o.at });
      s.emit(ListZonesResponseSchema, res, () =>
        printTable(s.io, ["ZONE", "OFFSET", "ABBREVIATION", "DST"], res.zones.map((z) => [z.name, formatOffset(z.offsetMinutes), z.abbreviation, z.isDst])));
    }));

  time.command("zone <name>")
    .description("one zone's offset now (or --at), and its offset changes between --from and --to")
    .option("--at <instant>", "describe the zone at this instant", instant)
    .option("--from <instant>", "list offset changes from this instant", instant)
    .option("--to <instant>", "…up to this one", instant)
    .action(action(io, async (s, name: string, o: { at?: ReturnType<typeof instant>; from?: ReturnType<typeof instant>; to?: ReturnType<typeof instant> }) => {
      if (!o.from !== !o.to) throw new UsageError("give --from and --to together");
      const res = await timeService(s).getZone({ name, at: o.at, transitionsFrom: o.from, transitionsTo: o.to });
      s.emit(GetZoneResponseSchema, res, () => {
        const z = res.zone!;
        printRecord(s.io, { Zone: z.name, Offset: formatOffset(z.offsetMinutes), Abbreviation: z.abbreviation, DST: z.isDst });
        if (o.from) printTable(s.io, ["CHANGE AT (UTC)", "FROM", "TO"], res.transitions.map((t) => [isoTime(t.at), formatOffset(t.offsetBeforeMinutes), formatOffset(t.offsetAfterMinutes)]));
      });
    }));

  time.command("convert [local]")
    .description("the instant a local time (2026-03-29T02:30) in --zone denotes, or with --instant the local time of an instant")
    .requiredOption("--zone <zone>", "IANA zone the local time is in (or to show --instant in)")
    .option("--instant <instant>", "convert this instant to --zone's local time instead", instant)
    .option("--to-zone <zone>", "also show the instant in this zone")
    .addOption(disambiguationOption().default("reject"))
    .action(action(io, async (s, local: string | undefined, o: { zone: string; instant?: ReturnType<typeof instant>; toZone?: string; disambiguation: string }) => {
      if ((local === undefined) === (o.instant === undefined)) throw new UsageError("give a local time or --instant, not both");
      if (o.instant) {
        const res = await timeService(s).convertInstant({ instant: o.instant, zone: o.zone });
        s.emit(ConvertInstantResponseSchema, res, () => {
          const l = res.local!;
          printRecord(s.io, { Instant: isoTime(o.instant), Local: l.localTime, Zone: l.zone, Offset: `${formatOffset(l.offsetMinutes)} (${l.abbreviation})` });
        });
        return;
      }
      const res = await timeService(s).convertLocalTime({ localTime: local!, zone: o.zone, toZone: o.toZone ?? "", disambiguation: DISAMBIGUATIONS[o.disambiguation] });
      s.emit(ConvertLocalTimeResponseSchema, res, () => {
        const fields: Record<string, string> = { Local: `${local} ${o.zone}`, Instant: isoTime(res.instant), Offset: formatOffset(res.offsetMinutes), Kind: KIND_NAMES[res.kind] ?? "" };
        if (res.kind !== LocalTimeKind.EXACT) Object.assign(fields, { Earlier: isoTime(res.earlier), Later: isoTime(res.later) });
        if (res.converted) fields[`In ${res.converted.zone}`] = `${res.converted.localTime} ${formatOffset(res.converted.offsetMinutes)} (${res.converted.abbreviation})`;
        printRecord(s.io, fields);
      });
    }));

  time.command("expand <rrule>")
    .description("occurrences of an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO) starting at a local time, kept at that wall-clock time across DST")
    .requiredOption("--start <local>", "the first occurrence, a local time like 2026-03-02T09:00")
    .requiredOption("--zone <zone>", "IANA zone of --start")
    .requiredOption("--from <instant>", "list occurrences from this instant", instant)
    .requiredOption("--to <instant>", "…up to this one", instant)
    .option("--limit <n>", "at most this many (up to 1000; more is an error)", int, 100)
    .addOption(disambiguationOption())
    .action(action(io, async (s, rrule: string, o: { start: string; zone: string; from: ReturnType<typeof instant>; to: ReturnType<typeof instant>; limit: number; disambiguation?: string }) => {
      const res = await timeService(s).expandRecurrence({
        rrule, start: o.start, zone: o.zone, from: o.from, to: o.to, limit: o.limit,
        disambiguation: o.disambiguation ? DISAMBIGUATIONS[o.disambiguation] : Disambiguation.UNSPECIFIED,
      });
      s.emit(ExpandRecurrenceResponseSchema, res, () =>
        printTable(s.io, ["UTC", "LOCAL", "OFFSET"], res.occurrences.map((x) => [isoTime(x.at), x.localTime, formatOffset(x.offsetMinutes)])));
    }));

  time.command("quiet <window>")
    .description("whether an instant (default now) falls in a daily quiet window like 22:00-07:00 of --zone, and when it ends")
    .requiredOption("--zone <zone>", "IANA zone the window is in")
    .option("--at <instant>", "check this instant instead of now", instant)
    .action(action(io, async (s, window: string, o: { zone: string; at?: ReturnType<typeof instant> }) => {
      const m = WINDOW.exec(window);
      if (!m) throw new UsageError(`"${window}" is not a window like 22:00-07:00`);
      const res = await timeService(s).checkQuietHours({ at: o.at, zone: o.zone, quietHours: { start: m[1], end: m[2] } });
      s.emit(CheckQuietHoursResponseSchema, res, () =>
        printRecord(s.io, { At: `${res.atLocal?.localTime} ${o.zone}`, Quiet: res.quiet, "Next allowed": `${isoTime(res.nextAllowed)} (${res.nextAllowedLocal?.localTime} local)` }));
    }));
}
