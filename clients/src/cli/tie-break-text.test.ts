// Tie-break lines as the engine writes them (mod/voting/results/compute.ts, @polity/tally tie-break.ts), reworded for people.
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { PollResultsSchema, PollSchema, PollState } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { renderResults } from "./results-render.js";
import { tieBreakText } from "../tie-break-text.js";

const options = [{ id: "a", label: "Apples" }, { id: "b", label: "Bananas" }, { id: "c", label: "Cherries" }, { id: "3", label: "Plan 3" }];
const SEED = "0b6f1c1e-3f57-4d0e-9a51-6c2d3f7b9a10";

describe("tieBreakText", () => {
  it("names options by label and the seed by its role, not its value", () => {
    const line = `winner among b, a → a (seed: equal at 2; ordered a > b by the order of seed "${SEED}")`;
    const text = tieBreakText(line, options);
    expect(text).toBe("Bananas and Apples were tied (winner); Apples was chosen by the poll's tie-break seed: equal at 2; ordered Apples > Bananas by the poll's seeded order");
    expect(text).not.toContain(SEED);
  });

  it("keeps the round, and does not take a round number or a count for an option id", () => {
    const line = "round 3: elimination among c, 3 → 3 (previous rounds: 3 had the fewest votes in round 3)";
    expect(tieBreakText(line, options)).toBe("Round 3: Cherries and Plan 3 were tied (elimination); Plan 3 was chosen by previous rounds: Plan 3 had the fewest votes in round 3");
  });

  it("leaves ids without a label, and lines of another shape, readable", () => {
    expect(tieBreakText("runoff among a, z → z (total score: runoff tied at 3; z has the higher total score)", options))
      .toBe("Apples and z were tied (runoff); z was chosen by total score: runoff tied at 3; z has the higher total score");
    expect(tieBreakText(`something new about b in the order of seed "${SEED}"`, options)).toBe("something new about Bananas in the poll's seeded order");
  });

  it("is what `polity results` prints", () => {
    const poll = create(PollSchema, { title: "Fruit", options });
    const results = create(PollResultsSchema, { final: true, winners: ["a"], tieBreaks: [`winner among b, a → a (seed: equal at 2; ordered a > b by the order of seed "${SEED}")`] });
    const out = renderResults(poll, { state: PollState.CLOSED, eligible: 2, ballots: 2 }, results);
    expect(out).toContain("tie-break: Bananas and Apples were tied (winner); Apples was chosen by the poll's tie-break seed");
    expect(out).not.toContain(SEED);
  });
});
