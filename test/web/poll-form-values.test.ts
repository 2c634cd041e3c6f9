// The poll form's pure parts, in Node: option ids made from labels and wall-clock times in a zone → instants.
import { describe, expect, it } from "vitest";
import { instantToZoned, optionsFromLines, zonedToInstant } from "../../web/src/pages/poll-form-values.js";

describe("optionsFromLines", () => {
  it("makes ids from labels, unique with a suffix, within the proto's id rule", () => {
    const opts = optionsFromLines("Pier\n pier \n\nPier?\nÅland Café\n日本\n中国\n" + "x".repeat(40) + "\n" + "x".repeat(40) + "!");
    expect(opts.map((o) => o.id)).toEqual(["pier", "pier-2", "pier-3", "aland-cafe", "option", "option-2", "x".repeat(32), `${"x".repeat(30)}-2`]);
    expect(opts[1].label).toBe("pier");
    for (const o of opts) expect(o.id).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });

  it("keeps the ids of options whose label is unchanged and never gives a new one a kept id", () => {
    const existing = [{ id: "a", label: "Apples", description: "red" }, { id: "pears", label: "Old pears", description: "" }];
    expect(optionsFromLines("Pears\nApples\nApples\nOld pears", existing)).toEqual([
      { id: "pears-2", label: "Pears", description: "" },
      { id: "a", label: "Apples", description: "red" },
      { id: "apples", label: "Apples", description: "" },
      { id: "pears", label: "Old pears", description: "" },
    ]);
  });
});

describe("zonedToInstant", () => {
  it("reads a wall-clock time in the zone, half-hour offsets and daylight saving included", () => {
    expect(zonedToInstant("2027-03-15T18:30", "Australia/Adelaide").toISOString()).toBe("2027-03-15T08:00:00.000Z");
    expect(zonedToInstant("2027-07-01T09:00", "America/New_York").toISOString()).toBe("2027-07-01T13:00:00.000Z");
    expect(zonedToInstant("2027-01-01T00:00", "UTC").toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("moves a skipped time forward and takes the first of a repeated one", () => {
    // New York springs forward at 02:00 on 14 March 2027 and falls back at 02:00 on 7 November 2027.
    expect(zonedToInstant("2027-03-14T02:30", "America/New_York").toISOString()).toBe("2027-03-14T07:30:00.000Z");
    expect(zonedToInstant("2027-11-07T01:30", "America/New_York").toISOString()).toBe("2027-11-07T05:30:00.000Z");
  });

  it("round-trips through instantToZoned and refuses what is not a time", () => {
    const t = zonedToInstant("2027-10-31T12:45", "Europe/Lisbon");
    expect(instantToZoned(t, "Europe/Lisbon")).toBe("2027-10-31T12:45");
    // Lisbon is back on UTC+0 since 01:00 UTC that day; Tokyo is UTC+9.
    expect(instantToZoned(t, "Asia/Tokyo")).toBe("2027-10-31T21:45");
    expect(() => zonedToInstant("next tuesday", "UTC")).toThrow(/not a date and time/);
  });
});
