import { describe, expect, it } from "vitest";
import { stv } from "./stv.js";
import { r, randomElection } from "./test-support.js";

const FOOD = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"];

describe("stv", () => {
  it("reproduces Wikipedia's food election (20 voters, 3 seats, Droop quota 6)", () => {
    // Source: Wikipedia, "Single transferable vote", section "Example" (Oranges, Pears, Chocolate,
    // Strawberries, Hamburgers): winners Chocolate, Oranges, Strawberries.
    const res = stv(["4: Oranges>Pears", "2: Pears>Oranges", "8: Chocolate>Strawberries", "4: Chocolate>Hamburgers",
      "1: Strawberries", "1: Hamburgers"].map(r), { options: FOOD, seats: 3 });
    expect(res.quota).toBe(6);
    expect(res.winners).toEqual(["Chocolate", "Oranges", "Strawberries"]);
    expect(res.rounds.map((x) => x.tallies)).toEqual([
      { Oranges: 4, Pears: 2, Chocolate: 12, Strawberries: 1, Hamburgers: 1 },
      { Oranges: 4, Pears: 2, Chocolate: 6, Strawberries: 5, Hamburgers: 3 }, // surplus 6 at 1/2 per ballot
      { Oranges: 6, Pears: 0, Chocolate: 6, Strawberries: 5, Hamburgers: 3 }, // Pears out, Oranges elected
      { Oranges: 6, Pears: 0, Chocolate: 6, Strawberries: 5, Hamburgers: 0 }, // Hamburgers out
    ]);
    expect(res.rounds[1].transfers).toEqual({ from: ["Chocolate"], to: { Strawberries: 4, Hamburgers: 2 }, exhausted: 0 });
    expect(res.rounds[3].exhausted).toBe(3);
    expect(res.ranking).toEqual(["Chocolate", "Oranges", "Strawberries", "Hamburgers", "Pears"]);
  });

  it("transfers inclusively: ballots received earlier move on at their reduced value (WIGM)", () => {
    // Quota floor(30/3)+1 = 11. A 14 elected, surplus 3 → 14 ballots at 3/14: B gets 10·3/14, C 4·3/14.
    const res = stv(["10: A>B", "4: A>C", "9: B", "7: C"].map(r), { options: ["A", "B", "C"], seats: 2 });
    expect(res.quota).toBe(11);
    expect(res.rounds[1].tallies.B).toBeCloseTo(9 + 30 / 14, 10);
    expect(res.rounds[1].tallies.C).toBeCloseTo(7 + 12 / 14, 10);
    expect(res.winners).toEqual(["A", "B"]);
  });

  it("uses the exact Droop quota with fractional (delegated) weights", () => {
    const res = stv(["2.5: A", "1.5: B", "1: C"].map(r), { options: ["A", "B", "C"], seats: 2 });
    expect(res.quotaRule).toBe("exact droop");
    expect(res.quota).toBeCloseTo(5 / 3, 12);
    expect(res.winners).toEqual(["A", "B"]);
  });

  it("splits equal ranks and fills the last seats with the continuing candidates", () => {
    const res = stv(["6: A=B", "3: C", "2: D"].map(r), { options: ["A", "B", "C", "D"], seats: 3 });
    expect(res.rounds[0].tallies).toMatchObject({ A: 3, B: 3, C: 3, D: 2 });
    expect(res.winners).toHaveLength(3);
    expect(res.winners).not.toContain("D");
  });

  it("always elects exactly `seats` candidates, and is deterministic", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { options, ballots } = randomElection(seed, 3 + (seed % 6), 30 + seed * 3, { ties: seed % 2 === 0, fractional: seed % 3 === 0 });
      const seats = 1 + (seed % (options.length - 1));
      const res = stv(ballots, { options, seats, seed: String(seed) });
      expect(res.winners).toHaveLength(seats);
      expect(new Set(res.winners).size).toBe(seats);
      expect(res.ranking.toSorted()).toEqual(options.toSorted());
      expect(stv(ballots, { options, seats, seed: String(seed) })).toEqual(res);
      // Weight is conserved: what the candidates hold plus what exhausted equals the valid weight.
      const last = res.rounds.at(-1)!;
      const held = Object.values(last.tallies).reduce((a, b) => a + b, 0);
      expect(held + last.exhausted).toBeCloseTo(res.totalWeight - res.blankWeight, 9);
    }
  });
});
