import { describe, expect, it } from "vitest";
import { irv } from "./irv.js";
import { r } from "./test-support.js";

describe("irv", () => {
  it("elects Knoxville in Wikipedia's Tennessee capital example", () => {
    // Source: Wikipedia, "Instant-runoff voting", section "Example" (Tennessee capital, percentages as votes).
    const res = irv(["42: Memphis>Nashville>Chattanooga>Knoxville", "26: Nashville>Chattanooga>Knoxville>Memphis",
      "15: Chattanooga>Knoxville>Nashville>Memphis", "17: Knoxville>Chattanooga>Nashville>Memphis"].map(r),
      { options: ["Memphis", "Nashville", "Chattanooga", "Knoxville"] });
    expect(res.winners).toEqual(["Knoxville"]);
    expect(res.rounds.map((x) => x.tallies)).toEqual([
      { Memphis: 42, Nashville: 26, Chattanooga: 15, Knoxville: 17 },
      { Memphis: 42, Nashville: 26, Knoxville: 32 },
      { Memphis: 42, Knoxville: 58 },
    ]);
    expect(res.rounds.map((x) => x.eliminated)).toEqual([["Chattanooga"], ["Nashville"], []]);
    expect(res.rounds[0].transfers).toEqual({ from: ["Chattanooga"], to: { Knoxville: 15 }, exhausted: 0 });
    expect(res.ranking).toEqual(["Knoxville", "Memphis", "Nashville", "Chattanooga"]);
  });

  it("counts exhausted ballots and needs a majority of the active weight only", () => {
    const res = irv(["4: A", "3: B>C", "2: C", "1: D"].map(r), { options: ["A", "B", "C", "D"] });
    // Round 1: A4 B3 C2 D1 → D out (its ballot exhausts); round 2: A4 B3 C2 → C out (both exhaust);
    // round 3: A4 B3 of 7 active → A wins with 4 > 3.5, although 4 is not half of the 10 ballots.
    expect(res.rounds.map((x) => x.exhausted)).toEqual([0, 1, 3]);
    expect(res.winners).toEqual(["A"]);
    expect(res.rounds[2].threshold).toBe(3.5);
  });

  it("splits equal ranks fractionally among continuing options", () => {
    const res = irv(["2: A=B>C", "2: C", "1: B"].map(r), { options: ["A", "B", "C"] });
    expect(res.rounds[0].tallies).toEqual({ A: 1, B: 2, C: 2 });
    expect(res.rounds[0].eliminated).toEqual(["A"]);
    expect(res.rounds[1].tallies).toEqual({ B: 3, C: 2 });
    expect(res.winners).toEqual(["B"]);
  });

  it("breaks an elimination tie by the previous round before using the seed", () => {
    // Round 1: A5 B2 C3 D1 E4 → D out, to B. Round 2: B3 C3 tie, B had fewer in round 1 → B out.
    const res = irv(["5: A", "2: B", "3: C", "1: D>B", "4: E"].map(r), { options: ["A", "B", "C", "D", "E"] });
    expect(res.rounds[1].eliminated).toEqual(["B"]);
    expect(res.tieBreaks).toEqual([expect.objectContaining({ round: 2, purpose: "elimination", tied: ["B", "C"], chosen: "B", rule: "previous rounds" })]);
  });

  it("falls back to the seeded order when options were tied in every round", () => {
    const picks = new Set<string>();
    for (let s = 0; s < 12; s++) {
      const res = irv(["2: A", "1: B", "1: C"].map(r), { options: ["A", "B", "C"], seed: `s${s}` });
      expect(res.tieBreaks[0]).toMatchObject({ round: 1, rule: "seed", tied: ["B", "C"] });
      picks.add(res.rounds[0].eliminated[0]);
    }
    expect(picks).toEqual(new Set(["B", "C"]));
  });

  it("reports no winner without ballots, and ignores withdrawn options", () => {
    expect(irv([], { options: ["A", "B"] }).winners).toEqual([]);
    const res = irv(["2: W>A", "1: B"].map(r), { options: ["A", "B", "W"], withdrawn: ["W"] });
    expect(res.options).toEqual(["A", "B"]);
    expect(res.rounds[0].tallies).toEqual({ A: 2, B: 1 });
  });
});
