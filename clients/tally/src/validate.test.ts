import { describe, expect, it } from "vitest";
import { BallotError, formatIssue, validateBallots } from "./validate.js";
import { irv } from "./irv.js";

const options = ["A", "B", "C"];

describe("validateBallots", () => {
  it("names the ballot, the field and the problem", () => {
    const issues = validateBallots("schulze", [
      { ranks: [["A"], ["B"]], count: 1 },
      { ranks: [["A"], ["B", "A"]], count: 1 },
      { ranks: [["A", "A"]], count: 1, line: 7 },
      { ranks: [["Z"]], count: 1 },
      { ranks: [[]], count: 1 },
      { ranks: [["C"]], count: -1 },
    ], { options });
    expect(issues.map(formatIssue)).toEqual([
      'ballot 2: ranks[1][1]: option "A" is ranked twice (ranks 1 and 2)',
      'line 7: ranks[0][1]: option "A" appears twice in rank 1',
      'ballot 4: ranks[0][0]: unknown option "Z"',
      "ballot 5: ranks[0]: rank 1 is empty",
      "ballot 6: count: weight must be a finite number ≥ 0, got -1",
    ]);
  });

  it("checks approval limits and score ranges", () => {
    expect(validateBallots("approval", [{ choices: [], count: 1 }], { options, minSelections: 1 })[0].message).toBe("0 options chosen, at least 1 required");
    expect(validateBallots("approval", [{ choices: ["A", "A"], count: 1 }], { options })[0]).toMatchObject({ field: "choices[1]" });
    expect(validateBallots("star", [{ scores: { B: 11 }, count: 1 }], { options, maxScore: 10 })[0]).toMatchObject({ field: "scores.B" });
    expect(validateBallots("proposal", [{ position: "maybe" as never, count: 1 }], { options })[0]).toMatchObject({ field: "position" });
  });

  it("tallies refuse invalid ballots, even a repeated valid ballot with a bad weight", () => {
    expect(() => irv([{ ranks: [["A"]], count: 1 }, { ranks: [["A"]], count: Number.NaN }], { options })).toThrow(BallotError);
    try {
      irv([{ ranks: [["A"], ["A"]], count: 1, line: 3 }], { options });
    } catch (err) {
      expect((err as BallotError).issues[0]).toMatchObject({ line: 3, field: "ranks[1][0]" });
    }
  });
});
