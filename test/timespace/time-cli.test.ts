// polity time … against a real server, without logging in: zones, conversions across DST both ways, an RRULE
// across a DST change, quiet hours, and usage and server errors with their exit codes and reasons.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inProcessPolity, type InProcessPolity } from "../support/cli-in-process.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

let server: TestServer;
let home: string;
let cli: InProcessPolity;
/** Output with the table borders blanked, so rows read as whitespace-separated cells. */
const ok = async (args: string[]) => (await cli.ok(args)).replace(/[│┌┐└┘├┤┬┴┼─]/g, " ");
const reasonOf = (stderr: string) => JSON.parse(stderr).error?.reason;

beforeAll(async () => {
  server = await startInProcessServer();
  home = mkdtempSync(join(tmpdir(), "polity-time-cli-"));
  cli = inProcessPolity(home, () => server.url);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity time", () => {
  it("zones [filter] lists matching zones with their offset", async () => {
    const out = await ok(["time", "zones", "lord", "--at", "2026-01-15T00:00:00Z"]);
    expect(out).toMatch(/Australia\/Lord_Howe\s+\+11:00\s+\S+\s+yes/);
    const json = JSON.parse(await cli.ok(["--json", "time", "zones", "kolkata"]));
    expect(json.zones).toEqual([expect.objectContaining({ name: "Asia/Kolkata", offsetMinutes: 330 })]);
  });

  it("zone <name> --from --to lists the offset changes", async () => {
    const out = await ok(["time", "zone", "Europe/London", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z"]);
    expect(out).toContain("2026-03-29T01:00:00Z");
    expect(out).toMatch(/2026-10-25T01:00:00Z\s+\+01:00\s+\+00:00/);
  });

  it("convert <local> --zone: a skipped time is refused unless a disambiguation is chosen", async () => {
    const refused = await cli.polity(["--json", "time", "convert", "2026-03-29T02:30", "--zone", "Europe/Paris"]);
    expect(refused.code).toBe(1);
    expect(reasonOf(refused.stderr)).toBe("SKIPPED_LOCAL_TIME");
    const later = await ok(["time", "convert", "2026-03-29T02:30", "--zone", "Europe/Paris", "--disambiguation", "later", "--to-zone", "America/New_York"]);
    expect(later).toContain("2026-03-29T01:30:00Z");
    expect(later).toContain("gap");
    expect(later).toContain("2026-03-28T21:30:00 -04:00 (EDT)");
    const json = JSON.parse(await cli.ok(["--json", "time", "convert", "2026-10-25T02:30", "--zone", "Europe/Paris", "--disambiguation", "earlier"]));
    expect(json).toMatchObject({ instant: "2026-10-25T00:30:00Z", kind: "LOCAL_TIME_KIND_OVERLAP", later: "2026-10-25T01:30:00Z" });
  });

  it("convert --instant --zone gives the local time", async () => {
    const out = await ok(["time", "convert", "--instant", "2011-12-30T10:00:00Z", "--zone", "Pacific/Apia"]);
    expect(out).toContain("2011-12-31T00:00:00");
    expect(out).toContain("+14:00");
  });

  it("expand keeps 09:00 Paris at 09:00 across the March change", async () => {
    const out = await ok(["time", "expand", "FREQ=WEEKLY;BYDAY=SU;COUNT=3", "--start", "2026-03-22T09:00", "--zone", "Europe/Paris", "--from", "2026-03-01T00:00:00Z", "--to", "2026-05-01T00:00:00Z"]);
    expect(out).toMatch(/2026-03-22T08:00:00Z\s+2026-03-22T09:00:00\s+\+01:00/);
    expect(out).toMatch(/2026-03-29T07:00:00Z\s+2026-03-29T09:00:00\s+\+02:00/);
    expect(out).toMatch(/2026-04-05T07:00:00Z\s+2026-04-05T09:00:00\s+\+02:00/);
  });

  it("quiet <window> says when a quiet night ends", async () => {
    const out = await ok(["time", "quiet", "22:00-07:00", "--zone", "Europe/Paris", "--at", "2026-10-24T21:00:00Z"]);
    expect(out).toMatch(/Quiet\s+yes/);
    expect(out).toContain("2026-10-25T06:00:00Z (2026-10-25T07:00:00 local)");
  });

  it("bad input: usage errors exit 2, server refusals exit 1 with the reason", async () => {
    expect((await cli.polity(["time", "convert", "--zone", "UTC"])).code).toBe(2);
    expect((await cli.polity(["time", "convert", "2026-01-01T00:00", "--instant", "2026-01-01T00:00:00Z", "--zone", "UTC"])).code).toBe(2);
    expect((await cli.polity(["time", "convert", "--instant", "2026-01-01T00:00", "--zone", "UTC"])).code).toBe(2);
    expect((await cli.polity(["time", "convert", "2026-01-01T00:00", "--zone", "UTC", "--disambiguation", "sooner"])).code).toBe(2);
    expect((await cli.polity(["time", "quiet", "22-7", "--zone", "UTC"])).code).toBe(2);
    const unknown = await cli.polity(["--json", "time", "zone", "Mars/Olympus_Mons"]);
    expect([unknown.code, reasonOf(unknown.stderr)]).toEqual([1, "UNKNOWN_TIME_ZONE"]);
    const rrule = await cli.polity(["--json", "time", "expand", "FREQ=NEVER", "--start", "2026-01-01T09:00", "--zone", "UTC", "--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z"]);
    expect([rrule.code, reasonOf(rrule.stderr)]).toEqual([1, "INVALID_RRULE"]);
    const many = await cli.polity(["--json", "time", "expand", "FREQ=HOURLY", "--start", "2026-01-01T09:00", "--zone", "UTC", "--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z", "--limit", "10"]);
    expect([many.code, reasonOf(many.stderr)]).toEqual([1, "TOO_MANY_OCCURRENCES"]);
  });
});
