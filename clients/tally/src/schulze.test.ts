import { describe, expect, it } from "vitest";
import { schulze } from "./schulze.js";
import { r } from "./test-support.js";

describe("schulze", () => {
  // Source: Wikipedia, "Schulze method", section "Example" (45 voters, 5 candidates), also example 1 of
  // M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
  // single-winner election method", Social Choice and Welfare 36 (2011).
  const wikipedia = ["5: A>C>B>E>D", "5: A>D>E>C>B", "8: B>E>D>A>C", "3: C>A>B>E>D", "7: C>A>E>B>D", "2: C>B>A>D>E",
    "7: D>C>E>B>A", "8: E>B>A>D>C"].map(r);

  it("reproduces Wikipedia's example: matrices, winner E, ranking E > A > C > B > D", () => {
    const res = schulze(wikipedia, { options: ["A", "B", "C", "D", "E"] });
    expect(res.pairwise).toEqual([
      [0, 20, 26, 30, 22],
      [25, 0, 16, 33, 18],
      [19, 29, 0, 17, 24],
      [15, 12, 28, 0, 14],
      [23, 27, 21, 31, 0],
    ]);
    expect(res.strongestPaths).toEqual([
      [0, 28, 28, 30, 24],
      [25, 0, 28, 33, 24],
      [25, 29, 0, 29, 24],
      [25, 28, 28, 0, 24],
      [25, 28, 28, 31, 0],
    ]);
    expect(res.winners).toEqual(["E"]);
    expect(res.ranking).toEqual(["E", "A", "C", "B", "D"]);
    expect(res.tieBreaks).toEqual([]);
    expect(res.totalWeight).toBe(45);
  });

  it("elects the Condorcet winner of Wikipedia's Tennessee example (Nashville)", () => {
    // Source: Wikipedia, "Condorcet method" / "Instant-runoff voting", Tennessee capital example (percentages).
    const res = schulze(["42: M>N>C>K", "26: N>C>K>M", "15: C>K>N>M", "17: K>C>N>M"].map(r), { options: ["M", "N", "C", "K"] });
    expect(res.ranking).toEqual(["N", "C", "K", "M"]);
  });

  it("treats equal and unranked options as ties (no preference either way)", () => {
    const res = schulze(["2: A=B>C", "1: C"].map(r), { options: ["A", "B", "C"] });
    expect(res.pairwise).toEqual([[0, 0, 2], [0, 0, 2], [1, 1, 0]]);
  });

  it("breaks a perfect tie with the seed, and logs it", () => {
    const ballots = ["1: A>B", "1: B>A"].map(r);
    const winners = new Set<string>();
    for (const seed of ["a", "b", "c", "d", "e", "f"]) {
      const res = schulze(ballots, { options: ["A", "B"], seed });
      expect(res.tieBreaks[0]).toMatchObject({ purpose: "winner", tied: ["A", "B"], rule: "seed", chosen: res.winners[0] });
      expect(schulze(ballots, { options: ["A", "B"], seed }).winners).toEqual(res.winners);
      winners.add(res.winners[0]);
    }
    expect(winners).toEqual(new Set(["A", "B"]));
  });
});
