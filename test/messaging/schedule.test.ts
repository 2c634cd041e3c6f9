// sendTimeFor: wall times in the recipient's zone across DST transitions, and quiet hours that cross midnight.
import { describe, expect, it } from "vitest";
import { sendTimeFor } from "../../mod/messaging/schedule/send-time.js";
import { reasonOf } from "../../sys/core/errors.js";
import { timeFunctions as time } from "../../sys/timespace/time/index.js";

const now = new Date("2026-01-01T00:00:00Z");
const iso = (d: Date) => d.toISOString();

describe("sendTimeFor", () => {
  it("keeps an explicit instant, and sends a past one now", () => {
    expect(iso(sendTimeFor(time, { at: new Date("2026-05-01T10:00:00Z"), timeZone: "", now }))).toBe("2026-05-01T10:00:00.000Z");
    expect(iso(sendTimeFor(time, { at: new Date("2025-05-01T10:00:00Z"), timeZone: "", now }))).toBe(iso(now));
    expect(iso(sendTimeFor(time, { timeZone: "Europe/Paris", now }))).toBe(iso(now));
  });

  it("reads a local time in the recipient's zone (\"\" = UTC)", () => {
    expect(iso(sendTimeFor(time, { localTime: "2026-12-01T09:00", timeZone: "America/New_York", now }))).toBe("2026-12-01T14:00:00.000Z");
    expect(iso(sendTimeFor(time, { localTime: "2026-07-01T09:00", timeZone: "Europe/Paris", now }))).toBe("2026-07-01T07:00:00.000Z");
    expect(iso(sendTimeFor(time, { localTime: "2026-07-01T09:00:30", timeZone: "", now }))).toBe("2026-07-01T09:00:30.000Z");
  });

  it("moves a time in a DST gap forward by the gap", () => {
    // Paris skips 02:00–03:00 on 29 March 2026: 02:30 becomes 03:30 CEST.
    expect(iso(sendTimeFor(time, { localTime: "2026-03-29T02:30", timeZone: "Europe/Paris", now }))).toBe("2026-03-29T01:30:00.000Z");
    // New York skips 02:00–03:00 on 8 March 2026.
    expect(iso(sendTimeFor(time, { localTime: "2026-03-08T02:15", timeZone: "America/New_York", now }))).toBe("2026-03-08T07:15:00.000Z");
    // Lord Howe Island moves by 30 minutes (02:00 → 02:30 on 4 October 2026).
    expect(iso(sendTimeFor(time, { localTime: "2026-10-04T02:10", timeZone: "Australia/Lord_Howe", now }))).toBe("2026-10-03T15:40:00.000Z");
  });

  it("takes the earlier instant of an ambiguous time", () => {
    // Paris repeats 02:00–03:00 on 25 October 2026: 02:30 CEST (00:30 UTC), not 02:30 CET (01:30 UTC).
    expect(iso(sendTimeFor(time, { localTime: "2026-10-25T02:30", timeZone: "Europe/Paris", now }))).toBe("2026-10-25T00:30:00.000Z");
    // New York repeats 01:00–02:00 on 1 November 2026: 01:30 EDT.
    expect(iso(sendTimeFor(time, { localTime: "2026-11-01T01:30", timeZone: "America/New_York", now }))).toBe("2026-11-01T05:30:00.000Z");
  });

  it("moves a time inside quiet hours that cross midnight to the window's end, in the recipient's zone", () => {
    const quietHours = { start: "21:00", end: "08:00" };
    // 22:00 in Paris (winter, UTC+1) → 08:00 next day.
    expect(iso(sendTimeFor(time, { localTime: "2026-12-01T22:00", timeZone: "Europe/Paris", quietHours, now }))).toBe("2026-12-02T07:00:00.000Z");
    // 03:00 → 08:00 the same day.
    expect(iso(sendTimeFor(time, { localTime: "2026-12-02T03:00", timeZone: "Europe/Paris", quietHours, now }))).toBe("2026-12-02T07:00:00.000Z");
    // Outside the window: unchanged; the end itself is outside; the start is inside.
    expect(iso(sendTimeFor(time, { localTime: "2026-12-02T12:00", timeZone: "Europe/Paris", quietHours, now }))).toBe("2026-12-02T11:00:00.000Z");
    expect(iso(sendTimeFor(time, { localTime: "2026-12-02T08:00", timeZone: "Europe/Paris", quietHours, now }))).toBe("2026-12-02T07:00:00.000Z");
    expect(iso(sendTimeFor(time, { localTime: "2026-12-02T21:00", timeZone: "Europe/Paris", quietHours, now }))).toBe("2026-12-03T07:00:00.000Z");
    // An explicit instant is judged in the recipient's zone: 23:00 UTC is 08:00 in Tokyo, just outside.
    expect(iso(sendTimeFor(time, { at: new Date("2026-12-01T23:00:00Z"), timeZone: "Asia/Tokyo", quietHours, now }))).toBe("2026-12-01T23:00:00.000Z");
    expect(iso(sendTimeFor(time, { at: new Date("2026-12-01T22:59:00Z"), timeZone: "Asia/Tokyo", quietHours, now }))).toBe("2026-12-01T23:00:00.000Z");
  });

  it("quiet hours within a day, across a DST night, and an empty window", () => {
    expect(iso(sendTimeFor(time, { localTime: "2026-06-01T13:00", timeZone: "", quietHours: { start: "12:00", end: "14:00" }, now }))).toBe("2026-06-01T14:00:00.000Z");
    // Window 22:00–08:00 over the autumn night in Paris: the end is 08:00 CET.
    expect(iso(sendTimeFor(time, { localTime: "2026-10-24T23:00", timeZone: "Europe/Paris", quietHours: { start: "22:00", end: "08:00" }, now }))).toBe("2026-10-25T07:00:00.000Z");
    expect(iso(sendTimeFor(time, { localTime: "2026-06-01T13:00", timeZone: "", quietHours: { start: "12:00", end: "12:00" }, now }))).toBe("2026-06-01T13:00:00.000Z");
  });

  it("refuses unknown zones, malformed local times and clocks", () => {
    expect(() => sendTimeFor(time, { localTime: "2026-06-01T13:00", timeZone: "Mars/Olympus", now })).toThrow();
    expect(reasonOf(catchError(() => sendTimeFor(time, { localTime: "2026-02-30T13:00", timeZone: "", now })))).toBe("INVALID_LOCAL_TIME");
    expect(reasonOf(catchError(() => sendTimeFor(time, { timeZone: "", quietHours: { start: "25:00", end: "08:00" }, now })))).toBe("INVALID_QUIET_HOURS");
    expect(reasonOf(catchError(() => sendTimeFor(time, { timeZone: "Nowhere/Town", now })))).toBe("INVALID_TIME_ZONE");
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
