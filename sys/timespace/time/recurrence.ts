// RRULE expansion in floating local time: the rule runs on wall-clock times (read as if UTC, so the library
// never sees a zone), then each occurrence becomes an instant through the zone, keeping 09:00 at 09:00
// across DST. A wall time a clock change skips or repeats follows `disambiguation`; without one, like
// Temporal's "compatible": skipped times move forward by the gap, repeated times take the first instant.
import { timeError } from "./time-error.js";
import type { Disambiguation, LocalTimeResolution } from "./time-functions.js";
import { floatingMs, candidatesOf, parseLocal, wallAt, type WallTime } from "./local-time.js";
import { parseRRule, RRule } from "./rrule-text.js";
import { requireZone } from "./zones.js";

export const MAX_OCCURRENCES = 1000;
// Wall times run at most ~26 hours from UTC; two days either side keeps every candidate in the window.
const MARGIN_MS = 2 * 86_400_000;
// Occurrences walked before `from` (the rule starts at `start`): past this the request is too costly.
const MAX_SCANNED = 50_000;
// The library walks a rule period by period even when its BY-filters match nothing (FREQ=DAILY;BYMONTH=2;
// BYMONTHDAY=30 from 1900 costs 13 s), so the periods between `start` and `to` are capped (a few seconds of
// CPU at worst): DAILY ≈ 27 years, HOURLY ≈ 5.7 years, MINUTELY ≈ 35 days, SECONDLY ≈ 14 hours.
const MAX_PERIODS: Record<number, { ms: number; max: number }> = {
  [RRule.DAILY]: { ms: 86_400_000, max: 10_000 },
  [RRule.HOURLY]: { ms: 3_600_000, max: 50_000 },
  [RRule.MINUTELY]: { ms: 60_000, max: 50_000 },
  [RRule.SECONDLY]: { ms: 1000, max: 50_000 },
};

export interface ExpandInput {
  rrule: string;
  start: string;
  zone: string;
  from: Date;
  to: Date;
  limit: number;
  disambiguation?: Disambiguation;
}

export function expandRecurrence(input: ExpandInput): Date[] {
  requireZone(input.zone);
  const start = parseLocal(input.start);
  const { options, untilKind } = parseRRule(input.rrule);
  const from = input.from.getTime();
  const to = input.to.getTime();
  const period = MAX_PERIODS[options.freq ?? -1];
  if (period && (to + MARGIN_MS - floatingMs(start)) / (period.ms * (options.interval ?? 1)) > period.max) {
    throw timeError("TOO_MANY_OCCURRENCES", `a ${RRule.FREQUENCIES[options.freq!]} rule may span at most ${period.max} periods from its start to ${input.to.toISOString()}; start it later`);
  }
  // The rule never runs past `to`: the library would otherwise search up to year 9999 for a filter that never
  // matches (FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30), seconds of CPU for a public call.
  const ruleUntil = options.until ? floatingUntil(options.until, untilKind, input.zone).getTime() : Infinity;
  const until = new Date(Math.min(ruleUntil, to + MARGIN_MS));
  const rule = new RRule({ ...options, dtstart: new Date(floatingMs(start)), until, tzid: null });
  const limit = Math.min(Math.max(input.limit, 0), MAX_OCCURRENCES);
  const found: Date[] = [];
  let scanned = 0;
  let tooMany = false;
  rule.all((floating) => {
    if (++scanned > MAX_SCANNED) {
      tooMany = true;
      return false;
    }
    if (floating.getTime() > to + MARGIN_MS) return false;
    if (floating.getTime() < from - MARGIN_MS) return true;
    const ms = resolve(wallAt(floating.getTime(), "UTC"), input.zone, input.disambiguation);
    if (ms < from || ms > to) return true;
    if (found.length === limit) {
      tooMany = true;
      return false;
    }
    found.push(new Date(ms));
    return true;
  });
  if (scanned > MAX_SCANNED) {
    throw timeError("TOO_MANY_OCCURRENCES", `the rule has more than ${MAX_SCANNED} occurrences before ${input.from.toISOString()}; start it later`);
  }
  if (tooMany) {
    throw timeError("TOO_MANY_OCCURRENCES", `the rule has more than ${limit} occurrences between ${input.from.toISOString()} and ${input.to.toISOString()}; narrow the range or raise the limit (at most ${MAX_OCCURRENCES})`);
  }
  // Wall times near a backward jump can resolve out of order; occurrences are instants, so sort them.
  return found.sort((a, b) => a.getTime() - b.getTime());
}

function resolve(wall: WallTime, zone: string, disambiguation: Disambiguation | undefined): number {
  const { kind, earlier, later } = candidatesOf(wall, zone);
  if (kind === "exact") return earlier;
  if (disambiguation === "reject") {
    const reason = kind === "gap" ? "SKIPPED_LOCAL_TIME" : "AMBIGUOUS_LOCAL_TIME";
    throw timeError(reason, `an occurrence falls on a local time that a clock change in ${zone} ${kind === "gap" ? "skips" : "repeats"}`);
  }
  const pick: LocalTimeResolution["kind"] | Disambiguation = disambiguation ?? (kind === "gap" ? "later" : "earlier");
  return pick === "later" ? later : earlier;
}

// UNTIL in UTC is an instant (RFC 5545 with a zoned DTSTART): its wall time in the zone bounds the floating
// series. A local UNTIL is already floating; a date-only UNTIL includes that whole day.
function floatingUntil(until: Date, kind: "utc" | "local" | "date" | undefined, zone: string): Date {
  if (kind === "utc") return new Date(floatingMs(wallAt(until.getTime(), zone)));
  if (kind === "date") return new Date(until.getTime() + 86_399_000);
  return until;
}
