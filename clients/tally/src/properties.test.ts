// Properties every method must have, checked on seeded random elections.
import { describe, expect, it } from "vitest";
import { aggregate, irv, schulze, seededOrder, stv, tally, type RankedBallot } from "./index.js";
import { randomElection } from "./test-support.js";

describe("tally properties", () => {
  it("is deterministic for a seed and independent of ballot order and grouping", () => {
    for (let seed = 1; seed <= 15; seed++) {
      const { options, ballots } = randomElection(seed, 5, 60, { ties: true });
      for (const method of ["irv", "schulze", "stv"] as const) {
        const cfg = { options, seats: method === "stv" ? 2 : 1, seed: "x" };
        const a = tally(method, ballots, cfg);
        const b = tally(method, [...ballots].reverse(), cfg);
        const c = tally(method, aggregate(ballots), cfg);
        expect(b.winners).toEqual(a.winners);
        expect(b.ranking).toEqual(a.ranking);
        expect(c.rounds).toEqual(a.rounds);
      }
    }
  });

  it("sums weights: totals, round tallies and exhausted weight add up", () => {
    const { options, ballots } = randomElection(7, 6, 200, { fractional: true, ties: true });
    const total = ballots.reduce((a, b) => a + b.count, 0);
    const res = irv(ballots, { options });
    expect(res.totalWeight).toBeCloseTo(total, 9);
    for (const round of res.rounds) {
      const sum = Object.values(round.tallies).reduce((a, b) => a + b, 0);
      expect(sum + round.exhausted + res.blankWeight).toBeCloseTo(total, 9);
    }
    const merged = aggregate(ballots);
    expect(merged.length).toBeLessThan(ballots.length);
    expect(merged.reduce((a, b) => a + b.count, 0)).toBeCloseTo(total, 9);
    const d = schulze(ballots, { options }).pairwise!;
    for (let i = 0; i < options.length; i++) for (let j = 0; j < options.length; j++) expect(d[i][j] + d[j][i]).toBeLessThanOrEqual(total + 1e-9);
  });

  it("equal seeds break ties equally; a different seed can break them differently", () => {
    const ballots: RankedBallot[] = ["A", "B", "C", "D"].map((o) => ({ ranks: [[o]], count: 1 }));
    const options = ["A", "B", "C", "D"];
    const first = new Set<string>();
    for (let s = 0; s < 20; s++) {
      const seed = `seed-${s}`;
      const a = stv(ballots, { options, seats: 2, seed });
      expect(stv(ballots, { options, seats: 2, seed })).toEqual(a);
      expect(a.tieBreaks.length).toBeGreaterThan(0);
      expect(a.tieBreaks.every((t) => t.tied.includes(t.chosen))).toBe(true);
      first.add(a.rounds[0].eliminated[0] ?? a.rounds[1]?.eliminated[0]);
    }
    expect(first.size).toBeGreaterThan(1);
    expect(seededOrder(options, "x")).toEqual(seededOrder([...options].reverse(), "x"));
    expect(seededOrder(options, "x")).not.toEqual(seededOrder(options, "y"));
  });

  it("accepts a streamed iterable, so ballots need not be held in memory", () => {
    function* gen() {
      for (let i = 0; i < 10_000; i++) yield { ranks: [[i % 3 === 0 ? "A" : "B"], ["C"]], count: 1 } satisfies RankedBallot;
    }
    const res = irv(gen(), { options: ["A", "B", "C"] });
    expect(res.winners).toEqual(["B"]);
    expect(res.ballots).toBe(10_000);
  });
});
