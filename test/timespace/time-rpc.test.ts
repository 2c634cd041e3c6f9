// TimeService over a real server, without credentials (public reference reads): conversions across DST, an
// RRULE across a DST change, quiet hours, and each kind of bad input answered with its precise reason.
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Disambiguation, LocalTimeKind, TimeService } from "../../clients/src/gen/polity/sys/timespace/v1/time_pb.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

let server: TestServer;
let time: Client<typeof TimeService>;
const ts = (iso: string) => timestampFromDate(new Date(iso));
const iso = (t: Parameters<typeof timestampDate>[0] | undefined) => (t ? timestampDate(t).toISOString() : undefined);

beforeAll(async () => {
  server = await startInProcessServer();
  time = clientFor(TimeService, server.url, undefined, "connect");
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function expectReason(call: Promise<unknown>, code: Code, reason: string) {
  const error = await rejection(call);
  expect([error.code, reasonOf(error)]).toEqual([code, reason]);
}

describe("TimeService", () => {
  it("lists zones by name with their offset and DST state, IANA's current names first-class", async () => {
    const { zones } = await time.listZones({ filter: "kolk", at: ts("2026-07-01T00:00Z") });
    expect(zones.map((z) => [z.name, z.offsetMinutes, z.isDst])).toEqual([["Asia/Kolkata", 330, false]]);
    const spaced = await time.listZones({ filter: "new york", at: ts("2026-07-01T00:00Z") });
    expect(spaced.zones.map((z) => [z.name, z.offsetMinutes, z.abbreviation, z.isDst])).toEqual([["America/New_York", -240, "EDT", true]]);
    expect((await time.listZones({})).zones.length).toBeGreaterThan(400);
  });

  it("gives a zone's transitions between two instants", async () => {
    const res = await time.getZone({ name: "America/New_York", at: ts("2026-01-15T00:00Z"), transitionsFrom: ts("2026-01-01T00:00Z"), transitionsTo: ts("2027-01-01T00:00Z") });
    expect(res.zone).toMatchObject({ name: "America/New_York", offsetMinutes: -300, abbreviation: "EST", isDst: false });
    expect(res.transitions.map((t) => [iso(t.at), t.offsetBeforeMinutes, t.offsetAfterMinutes])).toEqual([
      ["2026-03-08T07:00:00.000Z", -300, -240],
      ["2026-11-01T06:00:00.000Z", -240, -300],
    ]);
  });

  it("converts a skipped and a repeated local time as the disambiguation says, and refuses them by default", async () => {
    const gap = { localTime: "2026-03-08T02:30", zone: "America/New_York" };
    await expectReason(time.convertLocalTime(gap), Code.FailedPrecondition, "SKIPPED_LOCAL_TIME");
    await expectReason(time.convertLocalTime({ ...gap, disambiguation: Disambiguation.REJECT }), Code.FailedPrecondition, "SKIPPED_LOCAL_TIME");
    const earlier = await time.convertLocalTime({ ...gap, disambiguation: Disambiguation.EARLIER, toZone: "Europe/London" });
    expect([iso(earlier.instant), earlier.kind, earlier.offsetMinutes, iso(earlier.earlier), iso(earlier.later)])
      .toEqual(["2026-03-08T06:30:00.000Z", LocalTimeKind.GAP, -300, "2026-03-08T06:30:00.000Z", "2026-03-08T07:30:00.000Z"]);
    expect(earlier.converted).toMatchObject({ localTime: "2026-03-08T06:30:00", zone: "Europe/London", offsetMinutes: 0, abbreviation: "GMT" });

    const overlap = { localTime: "2026-10-25T01:30", zone: "Europe/London" };
    await expectReason(time.convertLocalTime(overlap), Code.FailedPrecondition, "AMBIGUOUS_LOCAL_TIME");
    const later = await time.convertLocalTime({ ...overlap, disambiguation: Disambiguation.LATER });
    expect([iso(later.instant), later.kind, later.offsetMinutes]).toEqual(["2026-10-25T01:30:00.000Z", LocalTimeKind.OVERLAP, 0]);

    const exact = await time.convertLocalTime({ localTime: "2026-06-01T12:00:30", zone: "Australia/Lord_Howe" });
    expect([iso(exact.instant), exact.kind, exact.offsetMinutes]).toEqual(["2026-06-01T01:30:30.000Z", LocalTimeKind.EXACT, 630]);
  });

  it("converts an instant to a zone's wall-clock time", async () => {
    const { local } = await time.convertInstant({ instant: ts("2026-10-25T01:30Z"), zone: "Europe/Paris" });
    expect(local).toMatchObject({ localTime: "2026-10-25T02:30:00", zone: "Europe/Paris", offsetMinutes: 60, abbreviation: "CET" });
  });

  it("expands a weekly 09:00 in Paris across the March DST change (UTC 08:00 → 07:00)", async () => {
    const { occurrences } = await time.expandRecurrence({ rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2026-03-22T09:00", zone: "Europe/Paris", from: ts("2026-03-01T00:00Z"), to: ts("2026-04-06T00:00Z"), limit: 10 });
    expect(occurrences.map((o) => [iso(o.at), o.localTime, o.offsetMinutes])).toEqual([
      ["2026-03-22T08:00:00.000Z", "2026-03-22T09:00:00", 60],
      ["2026-03-29T07:00:00.000Z", "2026-03-29T09:00:00", 120],
      ["2026-04-05T07:00:00.000Z", "2026-04-05T09:00:00", 120],
    ]);
  });

  it("checks quiet hours on a DST night", async () => {
    const res = await time.checkQuietHours({ at: ts("2026-03-28T22:00Z"), zone: "Europe/Paris", quietHours: { start: "22:00", end: "07:00" } });
    expect([res.quiet, iso(res.nextAllowed), res.atLocal?.localTime, res.nextAllowedLocal?.localTime])
      .toEqual([true, "2026-03-29T05:00:00.000Z", "2026-03-28T23:00:00", "2026-03-29T07:00:00"]);
  });

  it("answers bad input with the precise reason", async () => {
    const year = { from: ts("2026-01-01T00:00Z"), to: ts("2027-01-01T00:00Z") };
    await expectReason(time.getZone({ name: "Mars/Olympus_Mons" }), Code.InvalidArgument, "UNKNOWN_TIME_ZONE");
    await expectReason(time.convertInstant({ instant: ts("2026-01-01T00:00Z"), zone: "Europe/Atlantis" }), Code.InvalidArgument, "UNKNOWN_TIME_ZONE");
    await expectReason(time.convertLocalTime({ localTime: "2026-03-29T02:30", zone: "Europe/Paris", toZone: "Nowhere/City", disambiguation: Disambiguation.LATER }), Code.InvalidArgument, "UNKNOWN_TIME_ZONE");
    await expectReason(time.convertLocalTime({ localTime: "2026-02-30T10:00", zone: "Europe/Paris" }), Code.InvalidArgument, "INVALID_LOCAL_TIME");
    await expectReason(time.convertLocalTime({ localTime: "tomorrow", zone: "Europe/Paris" }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.expandRecurrence({ rrule: "FREQ=SOMETIMES", start: "2026-01-01T09:00", zone: "UTC", ...year, limit: 10 }), Code.InvalidArgument, "INVALID_RRULE");
    await expectReason(time.expandRecurrence({ rrule: "FREQ=DAILY", start: "2026-01-01T09:00", zone: "UTC", ...year, limit: 10 }), Code.InvalidArgument, "TOO_MANY_OCCURRENCES");
    await expectReason(time.expandRecurrence({ rrule: "FREQ=DAILY", start: "2026-01-01T09:00", zone: "UTC", ...year }), Code.InvalidArgument, "TOO_MANY_OCCURRENCES");
    await expectReason(time.expandRecurrence({ rrule: "FREQ=DAILY", start: "2026-01-01T09:00", zone: "UTC", ...year, limit: 1001 }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.expandRecurrence({ rrule: "FREQ=DAILY", start: "2026-01-01T09:00", zone: "UTC", from: year.to, to: year.from }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.getZone({ name: "UTC", transitionsFrom: ts("2026-01-01T00:00Z") }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.getZone({ name: "UTC", transitionsFrom: ts("1900-01-01T00:00Z"), transitionsTo: ts("2030-01-01T00:00Z") }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.checkQuietHours({ zone: "Europe/Paris", quietHours: { start: "22:00", end: "7:00" } }), Code.InvalidArgument, "VALIDATION_FAILED");
    await expectReason(time.checkQuietHours({ zone: "Europe/Paris" }), Code.InvalidArgument, "VALIDATION_FAILED");
  });
});
