// Plurality (single choice): each ballot names at most one option; the option with the most weight wins.
// With seats > 1 the `seats` options with the most weight win (block plurality).
// Tie-break: equal totals are ordered by the seeded option order (see tie-break.ts); every such tie is logged.
// An empty ballot is a blank vote: counted in totalWeight and blankWeight, for no option.

import { groupValid } from "./aggregate.js";
import { baseResult, countedOptions } from "./result.js";
import { createTieBreaker } from "./tie-break.js";
import type { ChoiceBallot, Method, Result, TallyConfig } from "./types.js";

/** Shared by plurality and approval: every chosen option gets the ballot's full weight. */
export function countChoices(method: Method, ballots: Iterable<ChoiceBallot>, config: TallyConfig): Result {
  const options = countedOptions(config);
  const result = baseResult(method, config, options);
  const tb = createTieBreaker(options, result.seed);
  const totals: Record<string, number> = Object.fromEntries(options.map((o) => [o, 0]));
  const raw = groupValid(method, ballots, config);
  for (const { ballot, count } of raw.groups) {
    const chosen = ballot.choices.filter((o) => o in totals);
    if (!chosen.length) result.blankWeight += count;
    for (const o of chosen) totals[o] += count;
  }
  result.ballots = raw.ballots;
  result.totalWeight = raw.totalWeight;
  result.totals = totals;
  result.ranking = tb.rank(options, (o) => totals[o], "ranking", 1);
  result.winners = result.ranking.slice(0, result.seats);
  result.rounds = [{ round: 1, action: "count", tallies: { ...totals }, elected: [...result.winners], eliminated: [], exhausted: result.blankWeight }];
  result.tieBreaks = tb.log;
  return result;
}

export function plurality(ballots: Iterable<ChoiceBallot>, config: TallyConfig): Result {
  return countChoices("plurality", ballots, config);
}
