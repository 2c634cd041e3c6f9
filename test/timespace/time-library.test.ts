// The time library against the published tz data: every offset change from 2010 to 2030 in zones with
// ordinary, half-hour, southern-hemisphere, midnight and whole-day DST changes (and one without DST), and
// the wall times each change skips or repeats resolved as earlier/later/reject say.
import { describe, expect, it } from "vitest";
import { timeFunctions as time } from "../../sys/timespace/time/index.js";
import { publishedTransitions, timeReasonOf as reasonOf, zdumpAvailable } from "./time-zdump.js";

const ZONES = [
  "America/New_York", "Europe/London", "Europe/Berlin", "Europe/Paris", "Australia/Sydney", "Australia/Lord_Howe",
  "America/Santiago", "Pacific/Apia", "Asia/Kolkata",
];
const MINUTE = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** The wall-clock text of `ms` read with `offsetMinutes`. */
const wallText = (ms: number, offsetMinutes: number) => iso(ms + offsetMinutes * MINUTE).slice(0, 19);

describe.skipIf(!zdumpAvailable())("against zdump's published tz data, 2010–2030", () => {
  for (const zone of ZONES) {
    const published = publishedTransitions(zone, 2010, 2030);

    it(`${zone}: the same offset changes at the same instants`, () => {
      const ours = time.transitions(zone, new Date(Date.UTC(2010, 0, 1)), new Date(Date.UTC(2030, 0, 1)));
      expect(ours.map((t) => [iso(t.at.getTime()), t.offsetBeforeMinutes, t.offsetAfterMinutes]))
        .toEqual(published.map((t) => [iso(t.at.getTime()), t.offsetBeforeMinutes, t.offsetAfterMinutes]));
      if (zone === "Asia/Kolkata") expect(published).toEqual([]);
      else expect(published.length).toBeGreaterThan(0);
    });

    it(`${zone}: the wall times each change skips or repeats, and those around it`, () => {
      for (const t of published) {
        const at = t.at.getTime();
        const jump = t.offsetAfterMinutes - t.offsetBeforeMinutes;
        // The last second before and the first second after read back as zdump prints them.
        expect(time.instantToLocal(new Date(at - 1000), zone)).toMatchObject({ local: wallText(at - 1000, t.offsetBeforeMinutes), offsetMinutes: t.offsetBeforeMinutes });
        expect(time.instantToLocal(t.at, zone)).toMatchObject({ local: wallText(at, t.offsetAfterMinutes), offsetMinutes: t.offsetAfterMinutes });
        // A wall time in the middle of the skipped or repeated stretch.
        const middle = wallText(at, t.offsetBeforeMinutes + jump / 2).slice(0, 16);
        const floating = Date.parse(`${middle}Z`);
        const readWith = (offset: number) => iso(floating - offset * MINUTE);
        if (jump > 0) {
          expect(reasonOf(() => time.localToInstant(middle, zone, "reject"))).toBe("SKIPPED_LOCAL_TIME");
          const earlier = time.localToInstant(middle, zone, "earlier");
          const later = time.localToInstant(middle, zone, "later");
          expect([earlier.kind, later.kind]).toEqual(["gap", "gap"]);
          expect(earlier.instant.toISOString()).toBe(readWith(t.offsetAfterMinutes));
          expect(later.instant.toISOString()).toBe(readWith(t.offsetBeforeMinutes));
          expect([earlier.offsetMinutes, later.offsetMinutes]).toEqual([t.offsetBeforeMinutes, t.offsetAfterMinutes]);
        } else {
          expect(reasonOf(() => time.localToInstant(middle, zone, "reject"))).toBe("AMBIGUOUS_LOCAL_TIME");
          const earlier = time.localToInstant(middle, zone, "earlier");
          const later = time.localToInstant(middle, zone, "later");
          expect([earlier.kind, later.kind]).toEqual(["overlap", "overlap"]);
          expect(earlier.instant.toISOString()).toBe(readWith(t.offsetBeforeMinutes));
          expect(later.instant.toISOString()).toBe(readWith(t.offsetAfterMinutes));
        }
        // A day away from any change, a wall time is exact whatever the disambiguation.
        const calm = wallText(at + 86_400_000 * 3, t.offsetAfterMinutes).slice(0, 16);
        const exact = time.localToInstant(calm, zone, "reject");
        expect(exact.kind).toBe("exact");
        expect(exact.instant.toISOString()).toBe(iso(Date.parse(`${calm}Z`) - t.offsetAfterMinutes * MINUTE));
      }
    });
  }
});

// Captured from `zdump -v` (tzdata 2025b) so these hold wherever zdump is missing.
describe("published changes, captured", () => {
  it("Pacific/Apia skipped 2011-12-30 entirely (10:00 UTC: Thursday 23:59:59 −10 → Saturday 00:00 +14)", () => {
    expect(time.transitions("Pacific/Apia", new Date("2011-12-29T00:00Z"), new Date("2012-01-01T00:00Z")))
      .toEqual([{ at: new Date("2011-12-30T10:00:00Z"), offsetBeforeMinutes: -600, offsetAfterMinutes: 840 }]);
    for (const local of ["2011-12-30T00:00", "2011-12-30T12:00", "2011-12-30T23:59"]) {
      expect(reasonOf(() => time.localToInstant(local, "Pacific/Apia", "reject"))).toBe("SKIPPED_LOCAL_TIME");
    }
    // Earlier reads the lost day with the new offset (a day back), later with the old one (a day on).
    expect(time.localToInstant("2011-12-30T12:00", "Pacific/Apia", "earlier").instant.toISOString()).toBe("2011-12-29T22:00:00.000Z");
    expect(time.localToInstant("2011-12-30T12:00", "Pacific/Apia", "later").instant.toISOString()).toBe("2011-12-30T22:00:00.000Z");
    expect(time.localToInstant("2011-12-29T23:59:59", "Pacific/Apia", "reject").instant.toISOString()).toBe("2011-12-30T09:59:59.000Z");
    expect(time.localToInstant("2011-12-31T00:00", "Pacific/Apia", "reject").instant.toISOString()).toBe("2011-12-30T10:00:00.000Z");
  });

  it("Australia/Lord_Howe moves its clocks by 30 minutes", () => {
    expect(time.transitions("Australia/Lord_Howe", new Date("2026-01-01T00:00Z"), new Date("2027-01-01T00:00Z"))).toEqual([
      { at: new Date("2026-04-04T15:00:00Z"), offsetBeforeMinutes: 660, offsetAfterMinutes: 630 },
      { at: new Date("2026-10-03T15:30:00Z"), offsetBeforeMinutes: 630, offsetAfterMinutes: 660 },
    ]);
    expect(time.localToInstant("2026-04-05T01:45", "Australia/Lord_Howe", "earlier")).toEqual({ instant: new Date("2026-04-04T14:45:00Z"), kind: "overlap", offsetMinutes: 660 });
    expect(time.localToInstant("2026-04-05T01:45", "Australia/Lord_Howe", "later")).toEqual({ instant: new Date("2026-04-04T15:15:00Z"), kind: "overlap", offsetMinutes: 630 });
    expect(reasonOf(() => time.localToInstant("2026-10-04T02:15", "Australia/Lord_Howe", "reject"))).toBe("SKIPPED_LOCAL_TIME");
    expect(time.localToInstant("2026-10-04T02:30", "Australia/Lord_Howe", "reject").instant).toEqual(new Date("2026-10-03T15:30:00Z"));
  });

  it("America/Santiago changes at midnight: Saturday 24:00 → Sunday 01:00 in September", () => {
    expect(reasonOf(() => time.localToInstant("2026-09-06T00:30", "America/Santiago", "reject"))).toBe("SKIPPED_LOCAL_TIME");
    expect(time.localToInstant("2026-09-06T00:30", "America/Santiago", "later").instant).toEqual(new Date("2026-09-06T04:30:00Z"));
    expect(reasonOf(() => time.localToInstant("2026-04-04T23:30", "America/Santiago", "reject"))).toBe("AMBIGUOUS_LOCAL_TIME");
  });

  it("Asia/Kolkata has no DST: every wall time is exact at +05:30", () => {
    expect(time.transitions("Asia/Kolkata", new Date("2000-01-01T00:00Z"), new Date("2030-01-01T00:00Z"))).toEqual([]);
    expect(time.localToInstant("2026-03-29T02:30", "Asia/Kolkata", "reject")).toEqual({ instant: new Date("2026-03-28T21:00:00Z"), kind: "exact", offsetMinutes: 330 });
    expect(time.zoneAt("Asia/Kolkata", new Date("2026-07-01T00:00Z"))).toEqual({ name: "Asia/Kolkata", offsetMinutes: 330, abbreviation: "GMT+5:30", isDst: false });
  });

  it("zone info names DST and its abbreviation in both hemispheres", () => {
    expect(time.zoneAt("Europe/Berlin", new Date("2026-07-01T00:00Z"))).toMatchObject({ offsetMinutes: 120, abbreviation: "CEST", isDst: true });
    expect(time.zoneAt("Europe/London", new Date("2026-01-15T00:00Z"))).toMatchObject({ offsetMinutes: 0, abbreviation: "GMT", isDst: false });
    expect(time.zoneAt("America/New_York", new Date("2026-07-01T00:00Z"))).toMatchObject({ offsetMinutes: -240, abbreviation: "EDT", isDst: true });
    expect(time.zoneAt("Australia/Sydney", new Date("2026-01-15T00:00Z"))).toMatchObject({ offsetMinutes: 660, isDst: true });
    expect(time.zoneAt("Australia/Sydney", new Date("2026-07-15T00:00Z"))).toMatchObject({ offsetMinutes: 600, isDst: false });
  });
});

describe("zones and bad input", () => {
  it("lists IANA's current canonical names", () => {
    const zones = time.listZones();
    expect(zones).toEqual([...zones].sort());
    expect(zones).toEqual(expect.arrayContaining(["Asia/Kolkata", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "UTC", "Pacific/Apia"]));
    expect(zones).not.toContain("Asia/Calcutta");
    expect(time.isZone("Asia/Calcutta")).toBe(true);
    expect(time.isZone("Mars/Olympus_Mons")).toBe(false);
  });

  it("names the reason for an unknown zone and a malformed or impossible local time", () => {
    expect(reasonOf(() => time.zoneAt("Mars/Olympus_Mons"))).toBe("UNKNOWN_TIME_ZONE");
    expect(reasonOf(() => time.localToInstant("2026-03-29T02:30", "Nowhere/City", "earlier"))).toBe("UNKNOWN_TIME_ZONE");
    expect(reasonOf(() => time.transitions("", new Date(0), new Date(1)))).toBe("UNKNOWN_TIME_ZONE");
    expect(reasonOf(() => time.localToInstant("2026-02-30T10:00", "Europe/Paris", "earlier"))).toBe("INVALID_LOCAL_TIME");
    expect(reasonOf(() => time.localToInstant("2026-03-29 02:30", "Europe/Paris", "earlier"))).toBe("INVALID_LOCAL_TIME");
    expect(reasonOf(() => time.localToInstant("2026-03-29T24:00", "Europe/Paris", "earlier"))).toBe("INVALID_LOCAL_TIME");
  });
});
