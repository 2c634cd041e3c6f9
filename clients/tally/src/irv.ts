// Instant-runoff voting (ranked choice, single winner).
// Each round, every ballot counts for its highest-ranked continuing option. Equal ranks: when the highest
//   rank group with a continuing option holds several, the ballot's weight is split equally among them.
// An option with more than half of the active weight (ballots not exhausted) wins; so does the last one left.
// Otherwise exactly one option is eliminated per round: the one with the fewest votes. Ties for fewest are
//   broken by the previous rounds' counts, most recent first (the one with fewer votes there goes), then by the
//   seeded order (the option last in it goes) — see tie-break.ts. Every tie broken is logged.
// Ranking: the winner, then options still in the count at the end by their last tally, then the eliminated in
//   reverse order of elimination. No ballots → no winner.
// Each round's `transfers` tells where the weight of the option eliminated in it went in the next round.

import { rankedProfile, topContinuing } from "./aggregate.js";
import { baseResult } from "./result.js";
import { createTieBreaker, same } from "./tie-break.js";
import type { RankedBallot, Result, Round, TallyConfig } from "./types.js";

export function irv(ballots: Iterable<RankedBallot>, config: TallyConfig): Result {
  const p = rankedProfile("irv", ballots, config);
  const result = baseResult("irv", config, p.options);
  Object.assign(result, { ballots: p.ballots, totalWeight: p.totalWeight, blankWeight: p.blankWeight });
  const n = p.options.length;
  const tb = createTieBreaker(p.options, result.seed);
  const continuing = new Array<boolean>(n).fill(true);
  const history: Record<string, number>[] = [];
  const eliminated: string[] = [];
  const ranked = p.totalWeight - p.blankWeight;
  let previous: { round: Round; votes: Float64Array } | undefined;

  for (let round = 1; ; round++) {
    const votes = new Float64Array(n);
    let active = 0;
    for (const e of p.entries) {
      const top = topContinuing(e.ranks, 0, continuing);
      if (!top) continue;
      const share = e.count / top.options.length;
      for (const o of top.options) votes[o] += share;
      active += e.count;
    }
    const live = p.options.map((_, i) => i).filter((i) => continuing[i]);
    const tallies: Record<string, number> = {};
    for (const i of live) tallies[p.options[i]] = votes[i];
    const exhausted = ranked - active;
    if (previous) {
      const to: Record<string, number> = {};
      for (const i of live) if (!same(votes[i], previous.votes[i])) to[p.options[i]] = votes[i] - previous.votes[i];
      previous.round.transfers = { from: previous.round.eliminated, to, exhausted: exhausted - previous.round.exhausted };
    }
    const r: Round = { round, action: round === 1 ? "first preferences" : `count after eliminating ${eliminated.at(-1)}`,
      tallies, elected: [], eliminated: [], exhausted, threshold: active / 2 };
    result.rounds.push(r);
    if (active <= 0 || live.length === 0) break;

    const leader = live.find((i) => votes[i] > active / 2 && !same(votes[i], active / 2));
    if (leader !== undefined || live.length === 1) {
      const winner = p.options[leader ?? live[0]];
      r.elected.push(winner);
      result.winners = [winner];
      const rest = live.map((i) => p.options[i]).filter((o) => o !== winner);
      result.ranking = [winner, ...tb.rank(rest, (o) => tallies[o], "ranking", round), ...eliminated.toReversed()];
      break;
    }
    const fewest = Math.min(...live.map((i) => votes[i]));
    const tied = live.filter((i) => same(votes[i], fewest)).map((i) => p.options[i]);
    const out = tb.pick(tied, "low", "elimination", round, history);
    continuing[p.options.indexOf(out)] = false;
    eliminated.push(out);
    r.eliminated.push(out);
    history.push(tallies);
    previous = { round: r, votes };
  }
  result.tieBreaks = tb.log;
  return result;
}
