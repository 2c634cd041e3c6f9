// The shared time library (see time-functions.ts for the contract): pure functions over Node's ICU tz data.
import { instantToLocal, localToInstant } from "./local-time.js";
import { isQuiet, nextOutsideQuiet } from "./quiet-hours.js";
import { expandRecurrence } from "./recurrence.js";
import type { TimeFunctions } from "./time-functions.js";
import { isZone, listZones, transitions, zoneAt } from "./zones.js";

export const timeFunctions: TimeFunctions = {
  listZones,
  isZone,
  zoneAt,
  transitions,
  localToInstant,
  instantToLocal,
  expandRecurrence,
  isQuiet,
  nextOutsideQuiet,
};

export { isTimeError, timeError, type TimeErrorReason } from "./time-error.js";
export { MAX_OCCURRENCES } from "./recurrence.js";
export { isClock } from "./quiet-hours.js";
export type * from "./time-functions.js";
