// When a message may leave: an explicit instant, or a wall-clock time in the recipient's time zone, pushed past
// the recipient's quiet hours. All zone arithmetic is the shared time library's (ctx.timespace.time). Wall
// times are resolved like Temporal's "compatible" disambiguation, chosen explicitly per case:
//  - a time that does not exist (the hour skipped when clocks go forward) moves forward by the gap
//    (02:30 on a spring-forward night in Paris becomes 03:30 CEST): "later";
//  - a time that exists twice (the hour repeated when clocks go back) takes the EARLIER instant
//    (02:30 on the autumn night in Paris is 02:30 CEST = 00:30 UTC, not 02:30 CET): "earlier".
// A time already past means "now"; quiet hours are then applied to the effective time.
import { invalidArgument } from "../../../sys/core/errors.js";
import type { TimeFunctions } from "../../../sys/timespace/time/time-functions.js";

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

// The library's reasons as messaging has always reported them (field and reason kept for API clients).
const FIELDS: Record<string, { field: string; reason: string }> = {
  INVALID_LOCAL_TIME: { field: "local_time", reason: "INVALID_LOCAL_TIME" },
  INVALID_QUIET_HOURS: { field: "quiet_hours", reason: "INVALID_QUIET_HOURS" },
};

export function sendTimeFor(time: TimeFunctions, input: SendTimeInput): Date {
  try {
    const zone = input.timeZone === "" ? "UTC" : input.timeZone;
    if (!time.isZone(zone)) throw invalidArgument("time_zone", `unknown IANA time zone "${input.timeZone}"`, "INVALID_TIME_ZONE");
    let when = input.at ?? (input.localTime !== undefined ? compatibleInstant(time, input.localTime, zone) : input.now);
    if (when.getTime() < input.now.getTime()) when = input.now;
    return input.quietHours ? time.nextOutsideQuiet(when, zone, input.quietHours) : when;
  } catch (error) {
    const known = error instanceof Error ? FIELDS[(error as { reason?: string }).reason ?? ""] : undefined;
    throw known ? invalidArgument(known.field, error instanceof Error ? error.message : "", known.reason) : error;
  }
}

function compatibleInstant(time: TimeFunctions, local: string, zone: string): Date {
  const first = time.localToInstant(local, zone, "earlier");
  return first.kind === "gap" ? time.localToInstant(local, zone, "later").instant : first.instant;
}
