// STAR (Score Then Automatic Runoff), single winner.
// Round 1 (scoring): scores are summed as in score.ts; the two highest totals are the finalists
//   (ties for a finalist place: the seeded option order).
// Round 2 (automatic runoff): each ballot's full weight goes to the finalist it scored higher; a ballot that
//   scores both equally counts as "no preference" (reported as exhausted). The finalist with more weight wins.
//   A runoff tie goes to the finalist with the higher total score, then to the seeded order.
// Ranking: the winner, the other finalist, then the rest by total score.

import { scoreTotals } from "./score.js";
import { baseResult } from "./result.js";
import { createTieBreaker, same } from "./tie-break.js";
import type { Result, ScoreBallot, TallyConfig } from "./types.js";

export function star(ballots: Iterable<ScoreBallot>, config: TallyConfig): Result {
  const s = scoreTotals("star", ballots, config);
  const result = baseResult("star", config, s.options);
  result.seats = 1;
  const tb = createTieBreaker(s.options, result.seed);
  Object.assign(result, { ballots: s.ballots, totalWeight: s.totalWeight, blankWeight: s.blankWeight, totals: s.totals });
  const byScore = tb.rank(s.options, (o) => s.totals[o], "finalists", 1);
  const finalists = byScore.slice(0, 2);
  result.rounds.push({ round: 1, action: "scoring round", tallies: { ...s.totals }, elected: [], eliminated: byScore.slice(2), exhausted: 0 });
  if (finalists.length < 2) {
    result.winners = finalists;
    result.ranking = finalists;
    result.tieBreaks = tb.log;
    return result;
  }
  const [a, b] = finalists;
  let va = 0;
  let vb = 0;
  let none = 0;
  for (const { ballot, count } of s.groups) {
    const sa = ballot.scores[a] ?? s.min;
    const sb = ballot.scores[b] ?? s.min;
    if (sa > sb) va += count;
    else if (sb > sa) vb += count;
    else none += count;
  }
  let winner: string;
  if (!same(va, vb)) winner = va > vb ? a : b;
  else if (!same(s.totals[a], s.totals[b])) {
    winner = s.totals[a] > s.totals[b] ? a : b;
    tb.log.push({ round: 2, purpose: "runoff", tied: [a, b], chosen: winner, rule: "total score",
      detail: `runoff tied at ${va}; ${winner} has the higher total score` });
  } else winner = tb.pick([a, b], "high", "runoff", 2, []);
  const loser = winner === a ? b : a;
  result.rounds.push({ round: 2, action: "automatic runoff", tallies: { [a]: va, [b]: vb }, elected: [winner], eliminated: [loser], exhausted: none });
  result.winners = [winner];
  result.ranking = [winner, loser, ...byScore.slice(2)];
  result.tieBreaks = tb.log;
  return result;
}
