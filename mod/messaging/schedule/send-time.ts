// When a message may leave: an explicit instant, or a wall-clock time in the recipient's time zone, pushed past
// the recipient's quiet hours. Wall times are resolved like Temporal's "compatible" disambiguation:
//  - a time that does not exist (the hour skipped when clocks go forward) moves forward by the gap
//    (02:30 on a spring-forward night in Paris becomes 03:30 CEST);
//  - a time that exists twice (the hour repeated when clocks go back) takes the EARLIER instant
//    (02:30 on the autumn night in Paris is 02:30 CEST = 00:30 UTC, not 02:30 CET).
// A time already past means "now"; quiet hours are then applied to the effective time.
import { DateTime, IANAZone } from "luxon";
import { invalidArgument } from "../../../sys/core/errors.js";

export interface QuietHours {
  /** "HH:MM" local; the window may cross midnight ("21:00"–"08:00"). start == end means no window. */
  start: string;
  end: string;
}

export interface SendTimeInput {
  at?: Date;
  /** "2026-12-01T09:00" (seconds optional), read in `timeZone`. */
  localTime?: string;
  /** IANA; "" = UTC. */
  timeZone: string;
  quietHours?: QuietHours;
  now: Date;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function sendTimeFor(input: SendTimeInput): Date {
  const zone = zoneOf(input.timeZone);
  let when = input.at ?? (input.localTime !== undefined ? resolveLocal(parseLocal(input.localTime), zone) : input.now);
  if (when.getTime() < input.now.getTime()) when = input.now;
  return input.quietHours ? afterQuietHours(when, zone, input.quietHours) : when;
}

/** Throws InvalidArgument for an unknown zone; "" is UTC. */
export function zoneOf(timeZone: string): string {
  if (timeZone === "") return "UTC";
  if (!IANAZone.isValidZone(timeZone)) throw invalidArgument("time_zone", `unknown IANA time zone "${timeZone}"`, "INVALID_TIME_ZONE");
  return timeZone;
}

/** True when `clock` is "HH:MM" (24 h). */
export function isClock(clock: string): boolean {
  return CLOCK.test(clock);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function parseLocal(text: string): WallTime {
  const m = LOCAL_TIME.exec(text);
  const wall = m && { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0) };
  if (!wall || !DateTime.fromObject(wall, { zone: "UTC" }).isValid) {
    throw invalidArgument("local_time", `"${text}" is not a local date-time like 2026-12-01T09:00`, "INVALID_LOCAL_TIME");
  }
  return wall;
}

/** The instant of a wall time in a zone: gaps move forward, overlaps take the earlier instant. */
export function resolveLocal(wall: WallTime, zone: string): Date {
  const asUtc = DateTime.fromObject(wall, { zone: "UTC" }).toMillis();
  // Offsets in force around that wall time (a transition is never closer than a day to another in practice).
  const offsets = new Set([-1, 0, 1].map((days) => DateTime.fromMillis(asUtc + days * 86_400_000, { zone }).offset));
  const matching = [...offsets]
    .map((offset) => asUtc - offset * 60_000)
    .filter((instant) => sameWall(DateTime.fromMillis(instant, { zone }), wall))
    .sort((a, b) => a - b);
  if (matching.length > 0) return new Date(matching[0]!);
  // In a gap: luxon keeps the offset from before the transition, which lands the gap's length later.
  return DateTime.fromObject(wall, { zone }).toJSDate();
}

function sameWall(dt: DateTime, wall: WallTime): boolean {
  return dt.year === wall.year && dt.month === wall.month && dt.day === wall.day && dt.hour === wall.hour && dt.minute === wall.minute && dt.second === wall.second;
}

function minutesOf(clock: string, field: string): number {
  const m = CLOCK.exec(clock);
  if (!m) throw invalidArgument(field, `"${clock}" is not a time like 21:00`, "INVALID_QUIET_HOURS");
  return +m[1]! * 60 + +m[2]!;
}

/** `when`, or the end of the quiet-hours window it falls in (read in the recipient's zone). */
function afterQuietHours(when: Date, zone: string, quiet: QuietHours): Date {
  const start = minutesOf(quiet.start, "quiet_hours.start");
  const end = minutesOf(quiet.end, "quiet_hours.end");
  if (start === end) return when;
  const local = DateTime.fromJSDate(when, { zone });
  const minute = local.hour * 60 + local.minute;
  let endDay: DateTime;
  if (start < end) {
    if (minute < start || minute >= end) return when;
    endDay = local;
  } else if (minute >= start) {
    endDay = local.plus({ days: 1 });
  } else if (minute < end) {
    endDay = local;
  } else {
    return when;
  }
  const resolved = resolveLocal({ year: endDay.year, month: endDay.month, day: endDay.day, hour: Math.floor(end / 60), minute: end % 60, second: 0 }, zone);
  return resolved.getTime() > when.getTime() ? resolved : when;
}
