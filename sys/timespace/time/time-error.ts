// The time library's bad-input error: a plain Error with a stable reason, so it stays free of RPC types and
// every tier (sys handlers, mod modules, the CLI) maps it to its own error shape.
import type { TimeError } from "./time-functions.js";

export type TimeErrorReason =
  | "UNKNOWN_TIME_ZONE"
  | "INVALID_LOCAL_TIME"
  | "SKIPPED_LOCAL_TIME"
  | "AMBIGUOUS_LOCAL_TIME"
  | "INVALID_RRULE"
  | "INVALID_QUIET_HOURS"
  | "TOO_MANY_OCCURRENCES";

export function timeError(reason: TimeErrorReason, message: string): TimeError {
  return Object.assign(new Error(message), { name: "TimeError", reason });
}

export function isTimeError(error: unknown): error is TimeError & { reason: TimeErrorReason } {
  return error instanceof Error && error.name === "TimeError" && typeof (error as TimeError).reason === "string";
}
