// The time library every tier shares: IANA zones from Node's ICU data, local wall-clock times ↔ instants with
// the skipped and repeated hours of DST handled explicitly, RFC 5545 recurrences and quiet-hours windows.
// Voting's windows, messaging's schedules and governance's deadlines go through it, never their own arithmetic.

/** What to do with a local time that a DST change skips (a gap) or repeats (an overlap). */
export type Disambiguation = "earlier" | "later" | "reject";

/** A wall-clock time without a zone, as ISO 8601 "2026-03-29T02:30" or "2026-03-29T02:30:15". */
export type LocalDateTime = string;

export interface ZoneInfo {
  name: string;
  /** Offset from UTC at the instant asked, in minutes (east positive). */
  offsetMinutes: number;
  /** Short name at that instant when ICU knows one ("CEST"), else the offset ("GMT+2"). */
  abbreviation: string;
  isDst: boolean;
}

export interface ZoneTransition {
  at: Date;
  offsetBeforeMinutes: number;
  offsetAfterMinutes: number;
}

export interface LocalTimeResolution {
  instant: Date;
  /** "exact"; "gap" when the local time did not exist (moved by the DST jump); "overlap" when it existed twice. */
  kind: "exact" | "gap" | "overlap";
  offsetMinutes: number;
}

/** A daily window in a zone's local time, e.g. { start: "21:00", end: "08:00" } (crossing midnight is fine). */
export interface QuietHours {
  start: string;
  end: string;
}

/**
 * Thrown for bad input, with `reason` one of UNKNOWN_TIME_ZONE, INVALID_LOCAL_TIME, SKIPPED_LOCAL_TIME,
 * AMBIGUOUS_LOCAL_TIME, INVALID_RRULE, INVALID_QUIET_HOURS, TOO_MANY_OCCURRENCES; handlers turn it into
 * INVALID_ARGUMENT (or FAILED_PRECONDITION for the two DST reasons) with that reason.
 */
export interface TimeError extends Error {
  reason: string;
}

export interface TimeFunctions {
  /** Every canonical IANA zone name, sorted. */
  listZones(): string[];
  isZone(name: string): boolean;
  /** The zone's offset and DST state at `at` (default now). */
  zoneAt(zone: string, at?: Date): ZoneInfo;
  /** Offset changes in [from, to), in order. */
  transitions(zone: string, from: Date, to: Date): ZoneTransition[];
  /**
   * The instant a local time in `zone` denotes. In a gap, "earlier" gives the instant with the offset before
   * the jump (02:30 → 01:30 UTC+1 on a spring-forward…), "later" the one after; in an overlap, "earlier" the
   * first occurrence and "later" the second. "reject" throws SKIPPED_LOCAL_TIME / AMBIGUOUS_LOCAL_TIME.
   */
  localToInstant(local: LocalDateTime, zone: string, disambiguation: Disambiguation): LocalTimeResolution;
  /** The local wall-clock time of `instant` in `zone` ("2026-10-25T02:30:00") with its offset. */
  instantToLocal(instant: Date, zone: string): { local: LocalDateTime; offsetMinutes: number; abbreviation: string };
  /**
   * Occurrences of an RRULE ("FREQ=WEEKLY;BYDAY=MO;COUNT=10", with or without "RRULE:") whose first occurrence is
   * the local time `start` in `zone`, kept at that wall-clock time across DST changes, in [from, to], at most
   * `limit` (more throws TOO_MANY_OCCURRENCES). A wall-clock time a DST change skips moves by `disambiguation`.
   */
  expandRecurrence(input: { rrule: string; start: LocalDateTime; zone: string; from: Date; to: Date; limit: number; disambiguation?: Disambiguation }): Date[];
  /** Whether `at` falls inside the quiet window in `zone`. */
  isQuiet(at: Date, zone: string, quiet: QuietHours): boolean;
  /** `at` itself when outside the window, else the window's end (its first instant after it) in `zone`. */
  nextOutsideQuiet(at: Date, zone: string, quiet: QuietHours): Date;
}
