// RRULE expansion kept at its wall-clock time across DST, and quiet-hours windows across midnight and DST nights.
import { describe, expect, it } from "vitest";
import { timeFunctions as time } from "../../sys/timespace/time/index.js";
import { timeReasonOf as reasonOf } from "./time-zdump.js";

const isoList = (dates: Date[]) => dates.map((d) => d.toISOString());
const year2026 = { from: new Date("2026-01-01T00:00Z"), to: new Date("2027-01-01T00:00Z") };

describe("expandRecurrence", () => {
  it("keeps a weekly Sunday 09:00 in Europe/Paris at 09:00 across the last Sunday of March (UTC 08:00 → 07:00)", () => {
    const dates = time.expandRecurrence({ rrule: "RRULE:FREQ=WEEKLY;BYDAY=SU", start: "2026-03-15T09:00", zone: "Europe/Paris", from: new Date("2026-03-01T00:00Z"), to: new Date("2026-04-13T00:00Z"), limit: 10 });
    expect(isoList(dates)).toEqual(["2026-03-15T08:00:00.000Z", "2026-03-22T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-04-05T07:00:00.000Z", "2026-04-12T07:00:00.000Z"]);
    expect(dates.map((d) => time.instantToLocal(d, "Europe/Paris").local.slice(11))).toEqual(Array(5).fill("09:00:00"));
  });

  it("and back across the last Sunday of October, and in the southern hemisphere the other way round", () => {
    const paris = time.expandRecurrence({ rrule: "FREQ=WEEKLY;COUNT=3", start: "2026-10-18T09:00", zone: "Europe/Paris", ...year2026, limit: 10 });
    expect(isoList(paris)).toEqual(["2026-10-18T07:00:00.000Z", "2026-10-25T08:00:00.000Z", "2026-11-01T08:00:00.000Z"]);
    const sydney = time.expandRecurrence({ rrule: "FREQ=WEEKLY;COUNT=2", start: "2026-09-27T09:00", zone: "Australia/Sydney", ...year2026, limit: 10 });
    expect(isoList(sydney)).toEqual(["2026-09-26T23:00:00.000Z", "2026-10-03T22:00:00.000Z"]);
  });

  it("moves an occurrence on a skipped wall time by the disambiguation, and rejects it when asked", () => {
    const daily = { rrule: "FREQ=DAILY;COUNT=3", start: "2026-03-28T02:30", zone: "Europe/Paris", ...year2026, limit: 10 };
    // Without one, like Temporal's "compatible": forward by the gap (03:30 CEST).
    expect(isoList(time.expandRecurrence(daily))).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z"]);
    expect(isoList(time.expandRecurrence({ ...daily, disambiguation: "earlier" }))).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T00:30:00.000Z", "2026-03-30T00:30:00.000Z"]);
    expect(reasonOf(() => time.expandRecurrence({ ...daily, disambiguation: "reject" }))).toBe("SKIPPED_LOCAL_TIME");
    // A repeated wall time: the first instant unless "later".
    const autumn = { rrule: "FREQ=DAILY;COUNT=1", start: "2026-10-25T02:30", zone: "Europe/Paris", ...year2026, limit: 10 };
    expect(isoList(time.expandRecurrence(autumn))).toEqual(["2026-10-25T00:30:00.000Z"]);
    expect(isoList(time.expandRecurrence({ ...autumn, disambiguation: "later" }))).toEqual(["2026-10-25T01:30:00.000Z"]);
  });

  it("reads a UTC UNTIL as an instant and a floating one as the zone's wall time", () => {
    const base = { start: "2026-06-01T09:00", zone: "America/New_York", ...year2026, limit: 50 };
    // 2026-06-03T13:00Z is 09:00 EDT: included; one second earlier it is not.
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;UNTIL=20260603T130000Z" })).toHaveLength(3);
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;UNTIL=20260603T125959Z" })).toHaveLength(2);
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;UNTIL=20260603T090000" })).toHaveLength(3);
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;UNTIL=20260603" })).toHaveLength(3);
  });

  it("keeps to [from, to] and counts the limit there, not from the rule's start", () => {
    const dates = time.expandRecurrence({ rrule: "FREQ=DAILY", start: "2020-01-01T12:00", zone: "Asia/Kolkata", from: new Date("2026-05-01T00:00Z"), to: new Date("2026-05-04T06:30Z"), limit: 4 });
    expect(isoList(dates)).toEqual(["2026-05-01T06:30:00.000Z", "2026-05-02T06:30:00.000Z", "2026-05-03T06:30:00.000Z", "2026-05-04T06:30:00.000Z"]);
  });

  it("names too many occurrences and bad rules", () => {
    const base = { start: "2026-01-01T00:00", zone: "UTC", ...year2026 };
    // [from, to] holds both ends: 2026's 365 days and 2027-01-01T00:00.
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=DAILY", limit: 365 }))).toBe("TOO_MANY_OCCURRENCES");
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY", limit: 366 })).toHaveLength(366);
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=MINUTELY", limit: 5000 }))).toBe("TOO_MANY_OCCURRENCES");
    // Rules whose filters never match would be walked for years of periods: refused by span, at once.
    const started = Date.now();
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start: "1900-01-01T00:00", limit: 10 }))).toBe("TOO_MANY_OCCURRENCES");
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", start: "2000-01-01T00:00", limit: 10 }))).toBe("TOO_MANY_OCCURRENCES");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(time.expandRecurrence({ ...base, rrule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start: "2020-01-01T00:00", limit: 10 })).toEqual([]);
    for (const rrule of ["FREQ=BOGUS", "BYDAY=MO", "FREQ=DAILY;BYDAY=XX", "FREQ=DAILY;COUNT=x", "FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z", "FREQ=DAILY;FOO=1", "FREQ=DAILY;FREQ=WEEKLY", "", "FREQ=DAILY;BYMONTH=13"]) {
      expect(reasonOf(() => time.expandRecurrence({ ...base, rrule, limit: 10 })), rrule).toBe("INVALID_RRULE");
    }
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=DAILY", zone: "Atlantis/Capital", limit: 10 }))).toBe("UNKNOWN_TIME_ZONE");
    expect(reasonOf(() => time.expandRecurrence({ ...base, rrule: "FREQ=DAILY", start: "2026-13-01T00:00", limit: 10 }))).toBe("INVALID_LOCAL_TIME");
  });
});

describe("quiet hours", () => {
  const night = { start: "22:00", end: "07:00" };

  it("a window crossing midnight: inside before and after midnight, ending at 07:00 local", () => {
    const zone = "America/New_York"; // EST, UTC−5, in January
    expect(time.isQuiet(new Date("2026-01-10T02:59Z"), zone, night)).toBe(false); // 21:59
    expect(time.isQuiet(new Date("2026-01-10T03:00Z"), zone, night)).toBe(true); // 22:00
    expect(time.nextOutsideQuiet(new Date("2026-01-10T04:00Z"), zone, night)).toEqual(new Date("2026-01-10T12:00Z")); // 23:00 → 07:00 next day
    expect(time.nextOutsideQuiet(new Date("2026-01-10T11:59Z"), zone, night)).toEqual(new Date("2026-01-10T12:00Z")); // 06:59 → 07:00
    expect(time.isQuiet(new Date("2026-01-10T12:00Z"), zone, night)).toBe(false);
    expect(time.nextOutsideQuiet(new Date("2026-01-10T15:00Z"), zone, night)).toEqual(new Date("2026-01-10T15:00Z"));
  });

  it("on DST nights the window ends at 07:00 by the new clock (6 h or 8 h after 23:00)", () => {
    expect(time.nextOutsideQuiet(new Date("2026-03-28T22:00Z"), "Europe/Paris", night)).toEqual(new Date("2026-03-29T05:00Z")); // 23:00 CET → 07:00 CEST
    expect(time.nextOutsideQuiet(new Date("2026-10-24T21:00Z"), "Europe/Paris", night)).toEqual(new Date("2026-10-25T06:00Z")); // 23:00 CEST → 07:00 CET
  });

  it("a window ending on a skipped time ends at the clock change; one ending on a repeated time, on its first pass", () => {
    const early = { start: "22:00", end: "02:30" };
    expect(time.nextOutsideQuiet(new Date("2026-03-28T22:00Z"), "Europe/Paris", early)).toEqual(new Date("2026-03-29T01:00Z")); // 03:00 CEST
    expect(time.nextOutsideQuiet(new Date("2026-10-24T21:00Z"), "Europe/Paris", early)).toEqual(new Date("2026-10-25T00:30Z")); // 02:30 CEST
    // 02:10 CET, the repeated hour's second pass, is back inside: it ends at 02:30 CET.
    expect(time.isQuiet(new Date("2026-10-25T01:10Z"), "Europe/Paris", early)).toBe(true);
    expect(time.nextOutsideQuiet(new Date("2026-10-25T01:10Z"), "Europe/Paris", early)).toEqual(new Date("2026-10-25T01:30Z"));
  });

  it("a window within a day, an empty one, and bad windows", () => {
    const lunch = { start: "12:00", end: "13:30" };
    expect(time.nextOutsideQuiet(new Date("2026-07-01T10:15Z"), "Europe/Berlin", lunch)).toEqual(new Date("2026-07-01T11:30Z"));
    expect(time.isQuiet(new Date("2026-07-01T11:30Z"), "Europe/Berlin", lunch)).toBe(false);
    expect(time.isQuiet(new Date("2026-07-01T11:30Z"), "Europe/Berlin", { start: "09:00", end: "09:00" })).toBe(false);
    expect(reasonOf(() => time.isQuiet(new Date(), "Europe/Berlin", { start: "25:00", end: "07:00" }))).toBe("INVALID_QUIET_HOURS");
    expect(reasonOf(() => time.nextOutsideQuiet(new Date(), "Europe/Berlin", { start: "22:00", end: "7:00" }))).toBe("INVALID_QUIET_HOURS");
    expect(reasonOf(() => time.isQuiet(new Date(), "Moon/Base", night))).toBe("UNKNOWN_TIME_ZONE");
  });
});
