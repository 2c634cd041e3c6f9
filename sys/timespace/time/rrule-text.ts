// RFC 5545 RRULE text checked part by part before the rrule library reads it: the library accepts unknown
// values silently (FREQ=BOGUS, BYDAY=XX) and fails later with a TypeError, which must be INVALID_RRULE instead.
import * as rrulePackage from "rrule";
import { timeError } from "./time-error.js";

// rrule ships CommonJS as "main": Node's ESM loader sees its exports only under `default`, bundlers by name.
const RRule = rrulePackage.RRule ?? (rrulePackage as unknown as { default: typeof rrulePackage }).default.RRule;
export type RRuleOptions = ReturnType<typeof RRule.parseString>;

const LIST = (item: string) => new RegExp(`^${item}(,${item})*$`);
const DAY = "(MO|TU|WE|TH|FR|SA|SU)";
const PARTS: Record<string, RegExp> = {
  FREQ: /^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/,
  COUNT: /^[1-9]\d{0,5}$/,
  INTERVAL: /^[1-9]\d{0,3}$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/,
  BYSECOND: LIST("([0-5]?\\d|60)"),
  BYMINUTE: LIST("[0-5]?\\d"),
  BYHOUR: LIST("(1?\\d|2[0-3])"),
  BYDAY: LIST(`([+-]?([1-9]|[1-4]\\d|5[0-3]))?${DAY}`),
  BYMONTHDAY: LIST("[+-]?([1-9]|[12]\\d|3[01])"),
  BYYEARDAY: LIST("[+-]?([1-9]\\d{0,2})"),
  BYWEEKNO: LIST("[+-]?([1-9]|[1-4]\\d|5[0-3])"),
  BYMONTH: LIST("([1-9]|1[0-2])"),
  BYSETPOS: LIST("[+-]?([1-9]\\d{0,2})"),
  WKST: new RegExp(`^${DAY}$`),
};

export interface ParsedRule {
  options: RRuleOptions;
  /** UNTIL as written: "utc" (…Z, an instant), "local" (a wall time in the rule's zone), "date" (a whole day). */
  untilKind?: "utc" | "local" | "date";
}

export function parseRRule(text: string): ParsedRule {
  const body = text.trim().replace(/^RRULE:/i, "");
  const seen = new Set<string>();
  let untilKind: ParsedRule["untilKind"];
  for (const part of body.split(";")) {
    const [name = "", value = "", ...rest] = part.split("=");
    const key = name.toUpperCase();
    const pattern = PARTS[key];
    if (!pattern || rest.length > 0 || seen.has(key) || !pattern.test(value.toUpperCase())) {
      throw timeError("INVALID_RRULE", `"${part}" is not a valid RRULE part (RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO)`);
    }
    seen.add(key);
    if (key === "UNTIL") untilKind = value.length === 8 ? "date" : value.toUpperCase().endsWith("Z") ? "utc" : "local";
  }
  if (!seen.has("FREQ")) throw timeError("INVALID_RRULE", "an RRULE needs FREQ (e.g. FREQ=DAILY)");
  if (seen.has("COUNT") && seen.has("UNTIL")) throw timeError("INVALID_RRULE", "an RRULE takes COUNT or UNTIL, not both");
  try {
    return { options: RRule.parseString(body.toUpperCase()), untilKind };
  } catch (error) {
    throw timeError("INVALID_RRULE", `RRULE "${body}": ${(error as Error).message}`);
  }
}

export { RRule };
