// Daily quiet windows in a zone's wall-clock time ("21:00"–"08:00" crosses midnight; start == end is no
// window). A window ending on a skipped wall time ends at the clock change itself, its first instant after.
import { timeError } from "./time-error.js";
import type { QuietHours } from "./time-functions.js";
import { candidatesOf, wallAt } from "./local-time.js";
import { requireZone, transitions } from "./zones.js";

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClock(text: string): boolean {
  return CLOCK.test(text);
}

function minutesOf(clock: string, field: "start" | "end"): number {
  const m = CLOCK.exec(clock);
  if (!m) throw timeError("INVALID_QUIET_HOURS", `quiet hours ${field} "${clock}" is not a time like 21:00`);
  return +m[1]! * 60 + +m[2]!;
}

/** Where `at` stands against the window: outside, or inside and on which local day the window ends. */
function windowAround(at: Date, zone: string, quiet: QuietHours): { quiet: false } | { quiet: true; endDayOffset: 0 | 1; end: number } {
  requireZone(zone);
  const start = minutesOf(quiet.start, "start");
  const end = minutesOf(quiet.end, "end");
  if (start === end) return { quiet: false };
  const wall = wallAt(at.getTime(), zone);
  const minute = wall.hour * 60 + wall.minute;
  if (start < end) return minute >= start && minute < end ? { quiet: true, endDayOffset: 0, end } : { quiet: false };
  if (minute >= start) return { quiet: true, endDayOffset: 1, end };
  if (minute < end) return { quiet: true, endDayOffset: 0, end };
  return { quiet: false };
}

export function isQuiet(at: Date, zone: string, quiet: QuietHours): boolean {
  return windowAround(at, zone, quiet).quiet;
}

export function nextOutsideQuiet(at: Date, zone: string, quiet: QuietHours): Date {
  const where = windowAround(at, zone, quiet);
  if (!where.quiet) return at;
  const today = wallAt(at.getTime(), zone);
  const day = new Date(Date.UTC(today.year, today.month - 1, today.day + where.endDayOffset));
  const endWall = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(where.end / 60), minute: where.end % 60, second: 0 };
  const { kind, earlier, later } = candidatesOf(endWall, zone);
  // A skipped end is reached at the jump between its two readings. An end that exists twice is reached the
  // first time, or the second when `at` lies in the repeated hour, back inside the window.
  const ends = kind === "gap" ? [transitions(zone, new Date(earlier), new Date(later + 1000))[0]?.at.getTime() ?? later] : [earlier, later];
  const end = ends.find((ms) => ms > at.getTime());
  return end === undefined ? at : new Date(end);
}
