// Authorization-matrix cases for TimeService (to be merged into CASES of matrix-cases.ts): every RPC is a public
// reference read naming no resource, so each is called once (orgless) and every principal, anonymous included,
// is allowed. Nothing here reads or writes anyone's data.
import type { Case } from "./matrix-cases.js";

const at = { seconds: 1_790_000_000n, nanos: 0 };
const once = (request: Record<string, unknown>): Case => ({ orgless: ["default"], variants: { default: () => request } });

export const TIMESPACE_TIME_CASES: Record<string, Case> = {
  "TimeService/ListZones": once({ filter: "europe" }),
  "TimeService/GetZone": once({ name: "Europe/Paris", at }),
  "TimeService/ConvertLocalTime": once({ localTime: "2026-03-29T02:30", zone: "Europe/Paris", disambiguation: 1 }),
  "TimeService/ConvertInstant": once({ instant: at, zone: "Asia/Kolkata" }),
  "TimeService/ExpandRecurrence": once({ rrule: "FREQ=WEEKLY;COUNT=3", start: "2026-03-15T09:00", zone: "Europe/Paris", from: { seconds: 1_767_225_600n, nanos: 0 }, to: { seconds: 1_798_761_600n, nanos: 0 }, limit: 10 }),
  "TimeService/CheckQuietHours": once({ at, zone: "Europe/Paris", quietHours: { start: "22:00", end: "07:00" } }),
};
