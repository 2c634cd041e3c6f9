// The tally engine: pure functions from ballots to results, shared by the server, `polity tally` and the web.
import { approval as approvalCount } from "./approval.js";
import { irv as irvCount } from "./irv.js";
import { plurality as pluralityCount } from "./plurality.js";
import { proposal as proposalCount } from "./proposal.js";
import { schulze as schulzeCount } from "./schulze.js";
import { score as scoreCount } from "./score.js";
import { star as starCount } from "./star.js";
import { stv as stvCount } from "./stv.js";
import { withoutVotes } from "./verdict.js";
import type { Ballot, ChoiceBallot, Method, ProposalBallot, RankedBallot, Result, ScoreBallot, TallyConfig } from "./types.js";

export * from "./types.js";
export { aggregate, ballotKey } from "./aggregate.js";
export { BallotError, formatIssue, validateBallot, validateBallots, type BallotIssue } from "./validate.js";
export { ParseError, parseBlt, parseText, kindOf, rankedToChoice, type BallotFile, type BallotKind } from "./formats.js";
export { seededOrder, createTieBreaker } from "./tie-break.js";
export { decisiveTieBreak, hasVotes, validWeight, verdictOf, type Verdict, type VerdictOutcome } from "./verdict.js";

// Every method, as exported, says nothing when nothing was voted: no winner picked by the seed among zeros.
type Count<B> = (ballots: Iterable<B>, config: TallyConfig) => Result;
const guarded = <B>(count: Count<B>): Count<B> => (ballots, config) => withoutVotes(count(ballots, config));
export const approval = guarded(approvalCount);
export const irv = guarded(irvCount);
export const plurality = guarded(pluralityCount);
export const proposal = guarded(proposalCount);
export const schulze = guarded(schulzeCount);
export const score = guarded(scoreCount);
export const star = guarded(starCount);
export const stv = guarded(stvCount);

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
