// Score (range) voting: each ballot gives every option a score in minScore..maxScore (unscored = minScore);
// an option's total is the weighted sum of its scores. The highest total wins; with seats > 1 the `seats`
// highest totals win. Tie-break: equal totals are ordered by the seeded option order, every tie logged.
// A ballot that scores nothing is blank (it still adds minScore to every option, which changes no order).

import { groupValid } from "./aggregate.js";
import { baseResult, countedOptions } from "./result.js";
import { createTieBreaker } from "./tie-break.js";
import type { Method, Result, ScoreBallot, TallyConfig } from "./types.js";

export function scoreTotals(method: Method, ballots: Iterable<ScoreBallot>, config: TallyConfig) {
  const options = countedOptions(config);
  const min = config.minScore ?? 0;
  const totals: Record<string, number> = Object.fromEntries(options.map((o) => [o, 0]));
  const raw = groupValid(method, ballots, config);
  let blankWeight = 0;
  for (const { ballot, count } of raw.groups) {
    if (!Object.keys(ballot.scores).some((o) => o in totals)) blankWeight += count;
    for (const o of options) totals[o] += (ballot.scores[o] ?? min) * count;
  }
  return { options, totals, groups: raw.groups, ballots: raw.ballots, totalWeight: raw.totalWeight, blankWeight, min };
}

export function score(ballots: Iterable<ScoreBallot>, config: TallyConfig): Result {
  const s = scoreTotals("score", ballots, config);
  const result = baseResult("score", config, s.options);
  const tb = createTieBreaker(s.options, result.seed);
  Object.assign(result, { ballots: s.ballots, totalWeight: s.totalWeight, blankWeight: s.blankWeight, totals: s.totals });
  result.ranking = tb.rank(s.options, (o) => s.totals[o], "ranking", 1);
  result.winners = result.ranking.slice(0, result.seats);
  result.rounds = [{ round: 1, action: "scores summed", tallies: { ...s.totals }, elected: [...result.winners], eliminated: [], exhausted: 0 }];
  result.tieBreaks = tb.log;
  return result;
}
