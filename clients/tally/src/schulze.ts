// Schulze method (Condorcet; beatpath), as described by Markus Schulze and on Wikipedia.
// d[i][j]: the weight of ballots ranking option i above option j. Options left off a ballot are tied below the
//   ranked ones; equally ranked options count for neither side.
// Link strength (winning votes): d[i][j] when d[i][j] > d[j][i], else 0. p[i][j]: the strongest path from i to
//   j, i.e. the widest path, computed with Floyd–Warshall in O(n³).
// i beats j when p[i][j] > p[j][i]; this relation is transitive (Schulze 2011), so the ranking is built by
//   repeatedly taking an option no remaining option beats. Several such options (a tie) → the seeded order
//   decides (tie-break.ts), logged. winners: the first `seats` options of the ranking (not proportional).
// rounds: one table, each option's number of options it beats.

import { rankedProfile } from "./aggregate.js";
import { baseResult, tableOf } from "./result.js";
import { createTieBreaker, same } from "./tie-break.js";
import type { RankedBallot, Result, TallyConfig } from "./types.js";

export function pairwiseMatrix(entries: { ranks: number[][]; count: number }[], n: number): number[][] {
  const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const pos = new Int32Array(n);
  for (const e of entries) {
    pos.fill(e.ranks.length);
    e.ranks.forEach((group, r) => group.forEach((o) => (pos[o] = r)));
    for (let i = 0; i < n; i++) {
      const row = d[i];
      for (let j = 0; j < n; j++) if (pos[i] < pos[j]) row[j] += e.count;
    }
  }
  return d;
}

export function strongestPaths(d: number[][]): number[][] {
  const n = d.length;
  const p = d.map((row, i) => row.map((v, j) => (i !== j && v > d[j][i] && !same(v, d[j][i]) ? v : 0)));
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      for (let j = 0; j < n; j++) {
        if (j === i || j === k) continue;
        const via = Math.min(p[i][k], p[k][j]);
        if (via > p[i][j]) p[i][j] = via;
      }
    }
  return p;
}

export function schulze(ballots: Iterable<RankedBallot>, config: TallyConfig): Result {
  const pr = rankedProfile("schulze", ballots, config);
  const result = baseResult("schulze", config, pr.options);
  Object.assign(result, { ballots: pr.ballots, totalWeight: pr.totalWeight, blankWeight: pr.blankWeight });
  const n = pr.options.length;
  const tb = createTieBreaker(pr.options, result.seed);
  const d = pairwiseMatrix(pr.entries, n);
  const p = strongestPaths(d);
  const beats = (i: number, j: number) => p[i][j] > p[j][i] && !same(p[i][j], p[j][i]);

  // No ranked weight: nothing to order, and no ties worth logging.
  const remaining = new Set(pr.totalWeight - pr.blankWeight > 0 ? pr.options.map((_, i) => i) : []);
  while (remaining.size) {
    const top = [...remaining].filter((i) => ![...remaining].some((j) => beats(j, i)));
    const names = top.map((i) => pr.options[i]);
    const chosen = tb.pick(names, "high", result.ranking.length === 0 ? "winner" : "ranking", undefined, []);
    result.ranking.push(chosen);
    remaining.delete(pr.options.indexOf(chosen));
  }
  result.winners = result.ranking.slice(0, result.seats);
  result.pairwise = d;
  result.strongestPaths = p;
  result.rounds = [{ round: 1, action: "options beaten along strongest paths", elected: [...result.winners], eliminated: [],
    tallies: tableOf(pr.options, (i) => pr.options.filter((_, j) => beats(i, j)).length), exhausted: 0 }];
  result.tieBreaks = tb.log;
  return result;
}
