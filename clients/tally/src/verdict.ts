// One verdict per result, decided here for the server, `polity tally` and anyone recounting a log, so no two
// places can disagree on what a result says. In this order:
//   no valid weight (no ballots, or only blank ones)            → "no votes" (and no winner, ranking or rounds)
//   a quorum was required and not reached                      → "no quorum"
//   a pass/fail question (proposal, threshold single choice)  → "passed" / "rejected"
//   a tie broken by the poll's seed changed who won            → "tied, broken by seed"
//   otherwise                                                  → "elected"
// A tie-break "decided" the outcome when the tied options include one that won and one that did not; ties among
// losers (who comes third) or among winners (the order of election) decide nothing and are not the reason.
import type { Result, TieBreak } from "./types.js";

export type Verdict = "elected" | "passed" | "rejected" | "tied_broken_by_seed" | "no_quorum" | "no_votes";

export interface VerdictOutcome {
  verdict: Verdict;
  /** The tie-break that decided who won, when one did (any rule; the verdict says "seed" only for the seed). */
  decidedBy?: TieBreak;
}

/** Weight that expressed a preference. A proposal's abstention is a position, so it counts there. */
export function validWeight(result: Result): number {
  return result.method === "proposal" ? result.totalWeight : result.totalWeight - result.blankWeight;
}

export function hasVotes(result: Result): boolean {
  return validWeight(result) > 0;
}

export function decisiveTieBreak(result: Result): TieBreak | undefined {
  const won = new Set(result.winners);
  const decisive = result.tieBreaks.filter((t) => t.tied.some((o) => won.has(o)) && t.tied.some((o) => !won.has(o)));
  return decisive.find((t) => t.rule === "seed") ?? decisive[0];
}

/**
 * `passed` is the answer to a pass/fail question when the poll asks one (undefined otherwise); `quorumMet`
 * is true when no quorum was required.
 */
export function verdictOf(result: Result, c: { quorumMet: boolean; passed?: boolean }): VerdictOutcome {
  if (!hasVotes(result)) return { verdict: "no_votes" };
  if (!c.quorumMet) return { verdict: "no_quorum" };
  const decidedBy = decisiveTieBreak(result);
  if (c.passed !== undefined) return { verdict: c.passed ? "passed" : "rejected", decidedBy };
  if (decidedBy?.rule === "seed") return { verdict: "tied_broken_by_seed", decidedBy };
  return { verdict: "elected", decidedBy };
}

/**
 * A result with no valid weight says nothing: no winner, no ranking, no rounds, no ties. Totals stay (all
 * zero) so a chart can still list the options.
 */
export function withoutVotes(result: Result): Result {
  if (hasVotes(result)) return result;
  const empty: Result = { ...result, winners: [], ranking: [], rounds: [], tieBreaks: [] };
  if (result.proposal) empty.proposal = { ...result.proposal, outcome: "no votes" };
  return empty;
}
