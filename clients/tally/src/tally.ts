// The tally engine: pure functions from ballots to results, shared by the server, `polity tally` and the web.
import { approval } from "./approval.js";
import { irv } from "./irv.js";
import { plurality } from "./plurality.js";
import { proposal } from "./proposal.js";
import { schulze } from "./schulze.js";
import { score } from "./score.js";
import { star } from "./star.js";
import { stv } from "./stv.js";
import type { Ballot, ChoiceBallot, Method, ProposalBallot, RankedBallot, Result, ScoreBallot, TallyConfig } from "./types.js";

export * from "./types.js";
export { aggregate, ballotKey } from "./aggregate.js";
export { BallotError, formatIssue, validateBallot, validateBallots, type BallotIssue } from "./validate.js";
export { ParseError, parseBlt, parseText, kindOf, rankedToChoice, type BallotFile, type BallotKind } from "./formats.js";
export { seededOrder, createTieBreaker } from "./tie-break.js";
export { approval, irv, plurality, proposal, schulze, score, star, stv };

export const METHODS: readonly Method[] = ["plurality", "approval", "score", "star", "proposal", "irv", "schulze", "stv"];

/** Tallies ballots with the named method. Throws BallotError on an invalid ballot (nothing is counted). */
export function tally(method: Method, ballots: Iterable<Ballot>, config: TallyConfig): Result {
  switch (method) {
    case "plurality": return plurality(ballots as Iterable<ChoiceBallot>, config);
    case "approval": return approval(ballots as Iterable<ChoiceBallot>, config);
    case "score": return score(ballots as Iterable<ScoreBallot>, config);
    case "star": return star(ballots as Iterable<ScoreBallot>, config);
    case "proposal": return proposal(ballots as Iterable<ProposalBallot>, config);
    case "irv": return irv(ballots as Iterable<RankedBallot>, config);
    case "schulze": return schulze(ballots as Iterable<RankedBallot>, config);
    case "stv": return stv(ballots as Iterable<RankedBallot>, config);
  }
}
