// `polity results` states the server's one verdict, the deciding tie-break as its reason, a quorum only when
// there is one, and names each method's figure.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PollResultsSchema, PollSchema, PollState, Verdict, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { renderResults } from "./results-render.js";

const options = [{ id: "lisbon", label: "Lisbon" }, { id: "faro", label: "Faro" }, { id: "porto", label: "Porto" }];
const poll = (method: VotingMethod) => create(PollSchema, { title: "Capital", method, options });
const closed = { state: PollState.CLOSED, eligible: 4, ballots: 2 };

describe("renderResults verdicts", () => {
  it("no votes: no winner, no chart, no rounds, no quorum line", () => {
    const r = create(PollResultsSchema, { final: true, verdict: Verdict.NO_VOTES, tallies: options.map((o) => ({ optionId: o.id, votes: 0 })) });
    const out = renderResults(poll(VotingMethod.STAR), { ...closed, ballots: 0 }, r);
    expect(out).toContain("No votes: nothing was decided");
    expect(out).not.toMatch(/winner|Elected|quorum|ROUND|POINTS|tie-break/i);
  });

  it("a 1–1 tie: elected by tie-break, with the tie-break as the reason, and no pass/fail", () => {
    const r = create(PollResultsSchema, {
      final: true, countedWeight: 2, verdict: Verdict.TIED_BROKEN_BY_SEED, winners: ["faro"],
      tallies: [{ optionId: "lisbon", votes: 1 }, { optionId: "faro", votes: 1 }, { optionId: "porto", votes: 0 }],
      decidedBy: { round: 1, purpose: "ranking", tiedOptionIds: ["faro", "lisbon"], chosenOptionId: "faro", rule: "seed", detail: "equal at 1; ordered faro > lisbon by the order of seed \"x\"" },
      tieBreaks: ["round 1: ranking among faro, lisbon → faro (seed: equal at 1; ordered faro > lisbon by the order of seed \"x\")",
        "round 1: ranking among porto, lisbon → porto (seed: an invented tie among losers)"],
    });
    const out = renderResults(poll(VotingMethod.SINGLE_CHOICE), closed, r);
    expect(out).toContain("Elected by tie-break: Faro");
    expect(out).toContain("because Faro and Lisbon were tied (ranking); Faro was chosen by the poll's tie-break seed");
    expect(out).not.toMatch(/PASS|did not|quorum/i);
    // The deciding tie-break is the reason, not repeated; a tie that decided nothing is listed.
    expect(out.match(/Faro and Lisbon were tied/g)).toHaveLength(1);
    expect(out).toContain("tie-break: Round 1: Porto and Lisbon were tied (ranking)");
    expect(out).toMatch(/OPTION\s*│\s*VOTES\s*│\s*%/);
    expect(out).toMatch(/Faro ★\s*│\s*1\s*│\s*50\.0/);
  });

  it("rejected and no-quorum results name no winner; a quorum shows what it needed", () => {
    const base = { final: true, countedWeight: 1, winners: ["lisbon"], tallies: [{ optionId: "lisbon", votes: 1 }] };
    const rejected = renderResults(poll(VotingMethod.SINGLE_CHOICE), closed, create(PollResultsSchema, { ...base, verdict: Verdict.REJECTED, passed: false }));
    expect(rejected).toContain("Rejected");
    expect(rejected).not.toContain("★");
    const short = renderResults(poll(VotingMethod.SINGLE_CHOICE), closed,
      create(PollResultsSchema, { ...base, verdict: Verdict.NO_QUORUM, quorumMet: false, quorumNeeded: 2 }));
    expect(short).toContain("No quorum: nothing was decided (1 counted of 2 needed)");
    expect(short).toContain("quorum not met");
    expect(short).not.toContain("★");
  });

  it("approval percentages are shares of voters; each method names its figure", () => {
    const r = create(PollResultsSchema, { final: true, countedWeight: 2, verdict: Verdict.ELECTED, winners: ["lisbon"],
      tallies: [{ optionId: "lisbon", votes: 2 }, { optionId: "faro", votes: 2 }] });
    const out = renderResults(poll(VotingMethod.APPROVAL), closed, r);
    expect(out).toMatch(/OPTION\s*│\s*APPROVALS\s*│\s*% OF VOTERS/);
    expect(out).toMatch(/Lisbon ★\s*│\s*2\s*│\s*100\.0/);
    expect(out).toMatch(/Faro\s*│\s*2\s*│\s*100\.0/);
    expect(renderResults(poll(VotingMethod.SCHULZE), closed, r)).toMatch(/OPTION\s*│\s*PAIRWISE WINS\s*│\s*│/);
    expect(renderResults(poll(VotingMethod.SCORE), closed, r)).toMatch(/OPTION\s*│\s*POINTS/);
    expect(renderResults(poll(VotingMethod.RANKED_IRV), closed, r)).toMatch(/OPTION\s*│\s*FINAL-ROUND VOTES/);
  });
});
