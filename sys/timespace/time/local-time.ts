// Wall-clock times ↔ instants. A local time has at most two candidate instants, one per offset in force
// around it (Temporal's algorithm): both real = an overlap, one = exact, none = a gap, and then "earlier"
// and "later" are those two candidates (the wall time read with the offset after, resp. before, the jump).
import { DateTime } from "luxon";
import { timeError } from "./time-error.js";
import type { Disambiguation, LocalDateTime, LocalTimeResolution } from "./time-functions.js";
import { abbreviationAt, offsetAt, requireZone } from "./zones.js";

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 86_400_000;

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function parseLocal(text: LocalDateTime): WallTime {
  const m = LOCAL_TIME.exec(text);
  const wall = m && { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0) };
  if (!wall || wall.hour > 23 || wall.second > 59 || !DateTime.fromObject(wall, { zone: "UTC" }).isValid) {
    throw timeError("INVALID_LOCAL_TIME", `"${text}" is not a local date-time like 2026-03-29T02:30`);
  }
  return wall;
}

export function formatLocal(wall: WallTime): LocalDateTime {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** The wall time read as if it were UTC: the "floating" time that offsets are subtracted from. */
export function floatingMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

export interface Candidates {
  kind: LocalTimeResolution["kind"];
  earlier: number;
  later: number;
}

/** Both readings of a wall time in a zone (equal when exact). */
export function candidatesOf(wall: WallTime, zone: string): Candidates {
  const floating = floatingMs(wall);
  // Two days either side covers the largest jump on record (Apia skipped a whole day in 2011).
  const before = offsetAt(zone, floating - 2 * DAY_MS);
  const after = offsetAt(zone, floating + 2 * DAY_MS);
  const readings = [...new Set([before, after, offsetAt(zone, floating)])].map((offset) => floating - offset * 60_000);
  const real = [...new Set(readings.filter((ms) => floatingMs(wallAt(ms, zone)) === floating))].sort((a, b) => a - b);
  if (real.length === 1) return { kind: "exact", earlier: real[0]!, later: real[0]! };
  if (real.length > 1) return { kind: "overlap", earlier: real[0]!, later: real[real.length - 1]! };
  const [earlier, later] = [floating - after * 60_000, floating - before * 60_000].sort((a, b) => a - b);
  return { kind: "gap", earlier: earlier!, later: later! };
}

export function localToInstant(local: LocalDateTime, zone: string, disambiguation: Disambiguation): LocalTimeResolution {
  requireZone(zone);
  return resolveWall(parseLocal(local), zone, disambiguation, local);
}

export function resolveWall(wall: WallTime, zone: string, disambiguation: Disambiguation, text = formatLocal(wall)): LocalTimeResolution {
  const { kind, earlier, later } = candidatesOf(wall, zone);
  if (kind !== "exact" && disambiguation === "reject") {
    throw kind === "gap"
      ? timeError("SKIPPED_LOCAL_TIME", `${text} does not exist in ${zone} (skipped by a clock change)`)
      : timeError("AMBIGUOUS_LOCAL_TIME", `${text} happens twice in ${zone} (repeated by a clock change)`);
  }
  const ms = disambiguation === "later" ? later : earlier;
  return { instant: new Date(ms), kind, offsetMinutes: offsetAt(zone, ms) };
}

export function wallAt(ms: number, zone: string): WallTime {
  const dt = DateTime.fromMillis(ms, { zone });
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second };
}

export function instantToLocal(instant: Date, zone: string): { local: LocalDateTime; offsetMinutes: number; abbreviation: string } {
  const iana = requireZone(zone);
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw timeError("INVALID_LOCAL_TIME", "the instant is not a valid date");
  return { local: formatLocal(wallAt(ms, zone)), offsetMinutes: iana.offset(ms), abbreviation: abbreviationAt(iana, ms) };
}
