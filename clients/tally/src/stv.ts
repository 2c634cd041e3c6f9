// Single transferable vote, multi-seat, with the Weighted Inclusive Gregory Method (WIGM) of the Scottish STV
// rules (Scottish Local Government Elections Order 2007, rules 45–52), computed in floating point without the
// Order's truncation to 5 decimals.
// Quota (Droop): with whole-number weights floor(valid / (seats + 1)) + 1, reached at ≥ quota; with fractional
//   (delegated) weights the exact Droop quota valid / (seats + 1), reached only above it. valid = non-blank weight.
// Stage 1 counts first preferences. A candidate reaching the quota is elected (several in one stage: most votes
//   first). Then, while seats remain:
//   - if the continuing candidates are no more than the seats left, all of them are elected (most votes first);
//   - else if an elected candidate's surplus is untransferred, the largest surplus is transferred: every ballot
//     the candidate holds (inclusive: transferred ones too) moves on at value × surplus / candidate's total; the
//     candidate keeps exactly the quota;
//   - else the continuing candidate with the fewest votes is excluded and all its ballots move on at their value.
//   A moving ballot goes to its next continuing preference; if none, its value is exhausted (non-transferable).
// Equal ranks: a ballot's value is split equally among the continuing candidates of its highest rank group
//   that has any; a share leaving one of them goes first to the others still continuing in the same group.
// Ties (fewest votes, largest surplus, election order): previous stages backwards, then the seeded order (the
//   Scottish rules look at stages forwards; this engine uses one documented rule for every runoff method).
// Ranking: the elected in order of election, then the unelected still continuing by votes, then the excluded
//   in reverse order of exclusion.

import { rankedProfile, topContinuing } from "./aggregate.js";
import { baseResult, tableOf } from "./result.js";
import { createTieBreaker, same } from "./tie-break.js";
import type { RankedBallot, Result, Round, TallyConfig } from "./types.js";

interface Parcel {
  /** Index of the aggregated ballot, rank group it sits at, value per unit of weight. */
  e: number;
  r: number;
  v: number;
}

export function stv(ballots: Iterable<RankedBallot>, config: TallyConfig): Result {
  const pr = rankedProfile("stv", ballots, config);
  const result = baseResult("stv", config, pr.options);
  Object.assign(result, { ballots: pr.ballots, totalWeight: pr.totalWeight, blankWeight: pr.blankWeight });
  const { options, entries } = pr;
  const n = options.length;
  const seats = result.seats;
  const tb = createTieBreaker(options, result.seed);
  const valid = pr.totalWeight - pr.blankWeight;
  const whole = entries.every((e) => Number.isInteger(e.count));
  const quota = whole ? Math.floor(valid / (seats + 1)) + 1 : valid / (seats + 1);
  result.quota = quota;
  result.quotaRule = whole ? "droop" : "exact droop";
  const reached = (v: number) => (whole ? v >= quota || same(v, quota) : v > quota && !same(v, quota));

  const continuing = new Array<boolean>(n).fill(true);
  const votes = new Float64Array(n);
  let piles: Parcel[][] = Array.from({ length: n }, () => []);
  const pending: number[] = [];
  const excluded: string[] = [];
  const history: Record<string, number>[] = [];
  let exhausted = 0;
  let moved: Record<string, number> = {};

  function place(e: number, from: number, v: number): void {
    const top = topContinuing(entries[e].ranks, from, continuing);
    const w = entries[e].count * v;
    if (!top) return void (exhausted += w);
    const share = v / top.options.length;
    for (const o of top.options) {
      piles[o].push({ e, r: top.at, v: share });
      votes[o] += entries[e].count * share;
      moved[options[o]] = (moved[options[o]] ?? 0) + entries[e].count * share;
    }
  }

  const live = () => options.map((_, i) => i).filter((i) => continuing[i]);
  const tallies = () => tableOf(options, (i) => votes[i]);

  /** Orders candidates by votes, most first; ties by earlier stages, then the seed. */
  function byVotes(list: number[], purpose: string, round: number): number[] {
    const left = [...list];
    const out: number[] = [];
    while (left.length) {
      const most = Math.max(...left.map((i) => votes[i]));
      const tied = left.filter((i) => same(votes[i], most)).map((i) => options[i]);
      const chosen = options.indexOf(tb.pick(tied, "high", purpose, round, history));
      out.push(chosen);
      left.splice(left.indexOf(chosen), 1);
    }
    return out;
  }

  function elect(list: number[], round: Round): void {
    for (const c of byVotes(list, "election order", round.round)) {
      if (result.winners.length >= seats) return;
      continuing[c] = false;
      result.winners.push(options[c]);
      round.elected.push(options[c]);
      if (votes[c] > quota && !same(votes[c], quota)) pending.push(c);
    }
  }

  function stage(action: string, from: string[]): Round {
    const round: Round = { round: result.rounds.length + 1, action, tallies: tallies(), elected: [], eliminated: [], exhausted, threshold: quota };
    if (from.length) round.transfers = { from, to: moved, exhausted: exhausted - (result.rounds.at(-1)?.exhausted ?? 0) };
    result.rounds.push(round);
    elect(live().filter((i) => reached(votes[i])), round);
    round.tallies = tallies();
    history.push(round.tallies);
    return round;
  }

  entries.forEach((_, e) => place(e, 0, 1));
  moved = {};
  let round = stage("first preferences", []);
  if (valid <= 0) round.action = "no ballots";

  while (valid > 0 && result.winners.length < seats) {
    const cont = live();
    if (cont.length === 0) break;
    if (cont.length <= seats - result.winners.length) {
      elect(cont, round);
      round.action += "; remaining seats filled by the continuing candidates";
      break;
    }
    moved = {};
    let c: number;
    let action: string;
    if (pending.length) {
      const surplus = (i: number) => votes[i] - quota;
      const most = Math.max(...pending.map(surplus));
      const tied = pending.filter((i) => same(surplus(i), most)).map((i) => options[i]);
      c = options.indexOf(tb.pick(tied, "high", "surplus order", round.round + 1, history));
      pending.splice(pending.indexOf(c), 1);
      const ratio = surplus(c) / votes[c];
      action = `surplus of ${options[c]} (${fmt(surplus(c))}) transferred at ${fmt(ratio)} of each ballot's value`;
      const pile = piles[c];
      piles[c] = [];
      votes[c] = quota;
      for (const parcel of pile) place(parcel.e, parcel.r, parcel.v * ratio);
    } else {
      const fewest = Math.min(...cont.map((i) => votes[i]));
      const tied = cont.filter((i) => same(votes[i], fewest)).map((i) => options[i]);
      c = options.indexOf(tb.pick(tied, "low", "elimination", round.round + 1, history));
      continuing[c] = false;
      excluded.push(options[c]);
      action = `exclusion of ${options[c]}`;
      const pile = piles[c];
      piles[c] = [];
      votes[c] = 0;
      for (const parcel of pile) place(parcel.e, parcel.r, parcel.v);
    }
    round = stage(action, [options[c]]);
    if (action.startsWith("exclusion")) round.eliminated.push(options[c]);
  }

  const unelected = live().filter((i) => !result.winners.includes(options[i]));
  result.ranking = valid > 0
    ? [...result.winners, ...byVotes(unelected, "ranking", round.round).map((i) => options[i]), ...excluded.toReversed()]
    : [];
  piles = [];
  result.tieBreaks = tb.log;
  return result;
}

const fmt = (x: number) => String(Math.round(x * 1e5) / 1e5);
