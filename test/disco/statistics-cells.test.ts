// The privacy rules on their own: which counts of people a statistics answer may show.
import { describe, expect, it } from "vitest";
import { suppressCells, suppressGroups } from "../../mod/disco/statistics/cells.js";

describe("cell suppression within a distribution", () => {
  it("shows zeros and cells of at least k", () => {
    expect(suppressCells([0, 5, 7], 12, 5)).toEqual(["", "", ""]);
  });

  it("hides a small cell and the smallest other non-zero cell, so the total minus the rest reveals nothing", () => {
    // yes 3, no 9 of 12: no = 12 - yes would give yes back.
    expect(suppressCells([3, 9], 12, 5)).toEqual(["below", "complementary"]);
    expect(suppressCells([6, 0, 1, 8], 15, 5)).toEqual(["complementary", "", "below", ""]);
  });

  it("hides more until the hidden cells hold at least k people together", () => {
    // 1 + 2 = 3 < 5: a third cell (the smallest shown, 6) joins them.
    expect(suppressCells([1, 2, 6, 9], 18, 5)).toEqual(["below", "below", "complementary", ""]);
  });

  it("counts the hidden remainder: a single pledger group whose non-pledgers are few is hidden", () => {
    // 8 of 10 pledged: the 2 who did not are a small cell anyone can compute.
    expect(suppressCells([8], 10, 5)).toEqual(["complementary"]);
    // 2 of 10 pledged: hidden; the 8 who did not are the other, large, unknown.
    expect(suppressCells([2], 10, 5)).toEqual(["below"]);
    expect(suppressCells([10], 10, 5)).toEqual([""]);
    expect(suppressCells([5], 10, 5)).toEqual([""]);
  });

  it("with k = 1 nothing is hidden", () => {
    expect(suppressCells([1, 0, 3], 5, 1)).toEqual(["", "", ""]);
  });
});

describe("group suppression", () => {
  it("hides groups under k and withholds the total so it cannot be differenced", () => {
    expect(suppressGroups([12, 6, 2, 1], 21, 5)).toEqual({ groups: ["", "", "below", "below"], total: "withheld" });
  });

  it("shows the total when every group is shown", () => {
    expect(suppressGroups([12, 6], 18, 5)).toEqual({ groups: ["", ""], total: "" });
  });

  it("hides everything when the whole population is under k", () => {
    expect(suppressGroups([3, 1], 4, 5)).toEqual({ groups: ["below", "below"], total: "below" });
  });

  it("shows a survey nobody answered as zero people", () => {
    expect(suppressGroups([], 0, 5)).toEqual({ groups: [], total: "" });
  });
});
