import { describe, expect, it } from "vitest";
import { approval, plurality, proposal, score, star } from "./index.js";
import type { ProposalBallot, ScoreBallot } from "./types.js";

const s = (count: number, scores: Record<string, number>): ScoreBallot => ({ count, scores });

describe("plurality and approval", () => {
  it("elects Memphis by plurality in Wikipedia's Tennessee example", () => {
    // Source: Wikipedia, "Plurality voting" / "Instant-runoff voting", Tennessee capital example.
    const res = plurality([{ choices: ["M"], count: 42 }, { choices: ["N"], count: 26 }, { choices: ["C"], count: 15 },
      { choices: ["K"], count: 17 }], { options: ["M", "N", "C", "K"] });
    expect(res.winners).toEqual(["M"]);
    expect(res.ranking).toEqual(["M", "N", "K", "C"]);
  });

  it("approval gives every chosen option the full weight; seats picks the top ones", () => {
    const res = approval([{ choices: ["A", "B"], count: 3 }, { choices: ["C"], count: 2 }, { choices: ["B"], count: 1.5 }, { choices: [], count: 1 }],
      { options: ["A", "B", "C"], seats: 2 });
    expect(res.totals).toEqual({ A: 3, B: 4.5, C: 2 });
    expect(res.winners).toEqual(["B", "A"]);
    expect(res.blankWeight).toBe(1);
  });

  it("rejects too many approvals and a second plurality choice", () => {
    expect(() => approval([{ choices: ["A", "B"], count: 1 }], { options: ["A", "B"], maxSelections: 1 })).toThrow(/2 options chosen, at most 1/);
    expect(() => plurality([{ choices: ["A", "B"], count: 1 }], { options: ["A", "B"] })).toThrow(/at most 1/);
  });
});

describe("score and STAR", () => {
  it("sums scores, unscored options counting as the minimum", () => {
    const res = score([s(2, { A: 5, B: 1 }), s(1, { B: 5 })], { options: ["A", "B", "C"] });
    expect(res.totals).toEqual({ A: 10, B: 7, C: 0 });
    expect(res.winners).toEqual(["A"]);
  });

  it("STAR: the runoff can overturn the score leader", () => {
    // Hand-computed: A leads the scores (4·5 + 6·2 = 32 against B's 6·3 = 18), but 6 of the 10 voters who
    // distinguish them score B higher.
    const ballots = [s(4, { A: 5, B: 0, C: 1 }), s(6, { A: 2, B: 3, C: 0 }), s(1, { C: 5 })];
    const res = star(ballots, { options: ["A", "B", "C"] });
    expect(res.rounds[0].tallies).toEqual({ A: 32, B: 18, C: 9 });
    expect(res.rounds[1].tallies).toEqual({ A: 4, B: 6 }); // C-only ballot scores A and B equally: no preference
    expect(res.rounds[1].exhausted).toBe(1);
    expect(res.winners).toEqual(["B"]);
    expect(res.ranking).toEqual(["B", "A", "C"]);
  });

  it("STAR: a runoff tie goes to the higher total score", () => {
    // Totals A 5, B 6; runoff 1 : 1.
    const res = star([s(1, { A: 5, B: 3 }), s(1, { A: 0, B: 3 })], { options: ["A", "B"] });
    expect(res.rounds[1].tallies).toEqual({ B: 1, A: 1 });
    expect(res.winners).toEqual(["B"]);
    expect(res.tieBreaks[0]).toMatchObject({ purpose: "runoff", rule: "total score", chosen: "B" });
  });

  it("rejects out-of-range scores", () => {
    expect(() => score([s(1, { A: 6 })], { options: ["A"] })).toThrow(/score 6 of "A" is outside 0\.\.5/);
  });
});

describe("proposal", () => {
  const p = (position: ProposalBallot["position"], count: number): ProposalBallot => ({ position, count });
  it("passes on a majority of agree over disagree; abstentions do not count", () => {
    const res = proposal([p("agree", 3), p("disagree", 2), p("abstain", 10)], { options: [] });
    expect(res.proposal).toMatchObject({ outcome: "passed", agreeShare: 0.6 });
    expect(res.winners).toEqual(["agree"]);
  });
  it("fails on an exact half unless the rule is at-least, and any block blocks", () => {
    expect(proposal([p("agree", 2), p("disagree", 2)], { options: [] }).proposal!.outcome).toBe("failed");
    expect(proposal([p("agree", 2), p("disagree", 2)], { options: [], passRule: "at-least" }).proposal!.outcome).toBe("passed");
    expect(proposal([p("agree", 9), p("block", 1)], { options: [] }).proposal!.outcome).toBe("blocked");
    expect(proposal([p("agree", 9), p("block", 1)], { options: [], blockLimit: 1 }).proposal!.outcome).toBe("passed");
    expect(proposal([p("agree", 6), p("disagree", 4)], { options: [], passThreshold: 2 / 3 }).proposal!.outcome).toBe("failed");
    expect(proposal([], { options: [] }).proposal!.outcome).toBe("no votes");
  });
});
