// Ballots are counted in aggregated form: identical ballots become one entry with their summed weight, so a
// million ballots over ten options cost a few thousand entries, whatever the number of rounds. Ballots are
// taken as an Iterable, so a caller can stream them (from a database cursor, a file) without holding them all.

import { BallotError, checkCount, validateBallot, limits } from "./validate.js";
import type { Ballot, Method, RankedBallot, TallyConfig } from "./types.js";

/** A ballot's content, without its weight and line: equal keys mean identical ballots. */
export function ballotKey(b: Ballot): string {
  if ("ranks" in b) return "r" + JSON.stringify(b.ranks);
  if ("choices" in b) return "c" + JSON.stringify(b.choices);
  if ("scores" in b) return "s" + JSON.stringify(b.scores);
  return "p" + JSON.stringify(b.position);
}

/** Merges identical ballots (same key), summing their weights; keeps first-seen order and the first line. */
export function aggregate<T extends Ballot>(ballots: Iterable<T>): T[] {
  const groups = new Map<string, T>();
  for (const b of ballots) {
    const key = ballotKey(b);
    const g = groups.get(key);
    if (g) g.count += b.count;
    else groups.set(key, { ...b });
  }
  return [...groups.values()];
}

/** Streams ballots once: validates each distinct ballot once (and every weight), groups by key. */
export function groupValid<T extends Ballot>(method: Method, ballots: Iterable<T>, config: TallyConfig) {
  const l = limits(method, config);
  const groups = new Map<string, { ballot: T; count: number }>();
  let n = 0;
  let total = 0;
  for (const b of ballots) {
    const index = n++;
    const key = ballotKey(b);
    let g = groups.get(key);
    if (!g) {
      const issue = validateBallot(method, b, index, l);
      if (issue) throw new BallotError([issue]);
      groups.set(key, (g = { ballot: b, count: 0 }));
    } else {
      const issue = checkCount(b, index);
      if (issue) throw new BallotError([issue]);
    }
    g.count += b.count;
    total += b.count;
  }
  return { groups: [...groups.values()], ballots: n, totalWeight: total };
}

export interface RankedProfile {
  /** Options in the count: config.options without the withdrawn ones. */
  options: string[];
  /** Distinct non-blank rankings as option indexes (groups sorted), with summed weight. */
  entries: { ranks: number[][]; count: number }[];
  ballots: number;
  totalWeight: number;
  blankWeight: number;
}

/** Validated, aggregated ranked ballots with withdrawn options struck out. */
export function rankedProfile(method: Method, ballots: Iterable<RankedBallot>, config: TallyConfig): RankedProfile {
  const withdrawn = new Set(config.withdrawn ?? []);
  const options = config.options.filter((o) => !withdrawn.has(o));
  const index = new Map(options.map((o, i) => [o, i]));
  const raw = groupValid(method, ballots, config);
  const merged = new Map<string, { ranks: number[][]; count: number }>();
  let blankWeight = 0;
  for (const { ballot, count } of raw.groups) {
    const ranks: number[][] = [];
    for (const group of ballot.ranks) {
      const g = group.filter((o) => index.has(o)).map((o) => index.get(o)!).sort((a, b) => a - b);
      if (g.length) ranks.push(g);
    }
    if (!ranks.length) {
      blankWeight += count;
      continue;
    }
    const key = ranks.map((g) => g.join("=")).join(">");
    const e = merged.get(key);
    if (e) e.count += count;
    else merged.set(key, { ranks, count });
  }
  return { options, entries: [...merged.values()], ballots: raw.ballots, totalWeight: raw.totalWeight, blankWeight };
}

/**
 * The first rank group of a ranking that holds a continuing option, as the continuing options in it, or
 * undefined when the ballot is exhausted. Equal ranks: the weight is split equally among them.
 */
export function topContinuing(ranks: number[][], from: number, continuing: ArrayLike<boolean>): { at: number; options: number[] } | undefined {
  for (let r = from; r < ranks.length; r++) {
    const live = ranks[r].filter((o) => continuing[o]);
    if (live.length) return { at: r, options: live };
  }
  return undefined;
}
