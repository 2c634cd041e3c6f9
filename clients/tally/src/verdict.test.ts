import { describe, expect, it } from "vitest";
import { METHODS, tally, verdictOf, type Ballot, type Method } from "./index.js";

const options = ["lisbon", "faro", "porto"];

describe("no votes", () => {
  it("no ballots give no winner, ranking, rounds or tie-break, whatever the method", () => {
    for (const method of METHODS) {
      const res = tally(method as Method, [], { options: method === "proposal" ? [] : options, seed: "s" });
      expect({ method, winners: res.winners, ranking: res.ranking, rounds: res.rounds, tieBreaks: res.tieBreaks })
        .toEqual({ method, winners: [], ranking: [], rounds: [], tieBreaks: [] });
      expect(verdictOf(res, { quorumMet: true }).verdict).toBe("no_votes");
    }
  });

  it("blank ballots alone are no votes either", () => {
    const blank: Record<string, Ballot> = {
      plurality: { choices: [], count: 2 }, approval: { choices: [], count: 2 }, score: { scores: {}, count: 2 },
      star: { scores: {}, count: 2 }, irv: { ranks: [], count: 2 }, schulze: { ranks: [], count: 2 }, stv: { ranks: [], count: 2 },
    };
    for (const [method, ballot] of Object.entries(blank)) {
      const res = tally(method as Method, [ballot], { options, seed: "s", minSelections: 0 });
      expect({ method, winners: res.winners, rounds: res.rounds.length }).toEqual({ method, winners: [], rounds: 0 });
      expect(res.totalWeight).toBe(2);
    }
  });
});

describe("verdict", () => {
  const one = (o: string) => ({ choices: [o], count: 1 });
  it("a 1–1 tie decided by the seed says so, naming the tie-break", () => {
    const res = tally("plurality", [one("lisbon"), one("faro")], { options, seed: "s" });
    const v = verdictOf(res, { quorumMet: true });
    expect(v.verdict).toBe("tied_broken_by_seed");
    expect(v.decidedBy).toMatchObject({ rule: "seed", chosen: res.winners[0] });
    expect(v.decidedBy!.tied.sort()).toEqual(["faro", "lisbon"]);
  });

  it("a tie among losers decides nothing: elected", () => {
    const res = tally("plurality", [one("lisbon"), one("lisbon"), one("faro"), one("porto")], { options, seed: "s" });
    expect(res.tieBreaks).toHaveLength(1);
    expect(verdictOf(res, { quorumMet: true })).toEqual({ verdict: "elected", decidedBy: undefined });
  });

  it("no quorum outranks a winner; a pass/fail question answers passed or rejected", () => {
    const res = tally("plurality", [one("lisbon")], { options, seed: "s" });
    expect(verdictOf(res, { quorumMet: false }).verdict).toBe("no_quorum");
    expect(verdictOf(res, { quorumMet: true, passed: false }).verdict).toBe("rejected");
    const p = tally("proposal", [{ position: "agree", count: 3 }], { options: [] });
    expect(verdictOf(p, { quorumMet: true, passed: true }).verdict).toBe("passed");
  });
});
