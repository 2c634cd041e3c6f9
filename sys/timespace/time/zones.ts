// IANA zones as Node's ICU knows them: names, offsets at an instant, and the instants where offsets change.
import { IANAZone } from "luxon";
import { timeError } from "./time-error.js";
import type { ZoneInfo, ZoneTransition } from "./time-functions.js";

// ICU lists a few zones under CLDR's older names; IANA's current canonical names are what people look for.
const IANA_NAMES: Record<string, string> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

let zoneList: string[] | undefined;

export function listZones(): string[] {
  zoneList ??= [...new Set([...Intl.supportedValuesOf("timeZone").map((name) => IANA_NAMES[name] ?? name), "UTC"])]
    .filter((name) => IANAZone.isValidZone(name))
    .sort();
  return zoneList;
}

export function isZone(name: string): boolean {
  return name.length > 0 && name.length <= 64 && IANAZone.isValidZone(name);
}

export function requireZone(name: string): IANAZone {
  if (!isZone(name)) throw timeError("UNKNOWN_TIME_ZONE", `unknown IANA time zone "${name}"`);
  return IANAZone.create(name);
}

/** Offset from UTC in minutes at epoch milliseconds `ms`. */
export function offsetAt(zone: string, ms: number): number {
  return requireZone(zone).offset(ms);
}

export function zoneAt(zone: string, at: Date = new Date()): ZoneInfo {
  const iana = requireZone(zone);
  const ms = at.getTime();
  const offsetMinutes = iana.offset(ms);
  return { name: zone, offsetMinutes, abbreviation: abbreviationAt(iana, ms), isDst: offsetMinutes > standardOffset(iana, ms) };
}

// ICU's short names depend on the locale ("EDT" in en-US, "CEST" only in en-GB); either beats "GMT+2".
export function abbreviationAt(iana: IANAZone, ms: number): string {
  const us = iana.offsetName(ms, { format: "short", locale: "en-US" }) ?? "";
  if (us !== "" && !/^(GMT|UTC)[+-]/.test(us)) return us;
  return iana.offsetName(ms, { format: "short", locale: "en-GB" }) ?? us;
}

// Standard time is the smaller of the year's January and July offsets (DST only ever adds), as luxon does.
function standardOffset(iana: IANAZone, ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  return Math.min(iana.offset(Date.UTC(year, 0, 1)), iana.offset(Date.UTC(year, 6, 1)));
}

// In the tz data (1900–2040) no zone changes its offset twice within three days: a daily scan sees every change.
const SCAN_STEP_MS = 86_400_000;
/** Longest range transitions() scans: beyond it a caller asks in pieces. */
export const MAX_TRANSITION_RANGE_MS = 200 * 365.25 * 86_400_000;

/** Offset changes in [from, to): a daily scan, then a binary search down to the second. */
export function transitions(zone: string, from: Date, to: Date): ZoneTransition[] {
  const iana = requireZone(zone);
  const end = Math.min(to.getTime(), from.getTime() + MAX_TRANSITION_RANGE_MS);
  const found: ZoneTransition[] = [];
  let before = Math.floor(from.getTime() / 1000) * 1000;
  let offsetBefore = iana.offset(before);
  while (before < end) {
    const next = Math.min(before + SCAN_STEP_MS, end);
    const offsetNext = iana.offset(next);
    if (offsetNext !== offsetBefore) {
      const at = firstInstantWithNewOffset(iana, before, next, offsetBefore);
      found.push({ at: new Date(at), offsetBeforeMinutes: offsetBefore, offsetAfterMinutes: iana.offset(at) });
    }
    before = next;
    offsetBefore = offsetNext;
  }
  // `end` itself is excluded, so a change exactly at `to` (found at its first instant) is dropped.
  return found.filter((t) => t.at.getTime() < to.getTime() && t.at.getTime() >= from.getTime());
}

function firstInstantWithNewOffset(iana: IANAZone, low: number, high: number, offsetLow: number): number {
  let lo = low;
  let hi = high;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (iana.offset(mid) === offsetLow) lo = mid;
    else hi = mid;
  }
  return hi;
}
