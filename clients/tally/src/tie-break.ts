// Deterministic tie-breaking shared by every method.
//
// The seeded order: options sorted by cyrb53(seed + "\u0000" + option id) ascending (then by id, should two
// hashes collide). It depends only on the seed and the option's own id, so adding or withdrawing an option does
// not reshuffle the others. An option earlier in the seeded order is *favoured*: it wins a tie for election or a
// place in a ranking, and survives a tie for elimination.
//
// Runoff methods (IRV, STV) first look back at previous rounds, most recent first: the tied option with the
// fewest (for elimination) or most (for election) votes in the latest round where the tied options differed is
// chosen; only if they were equal in every earlier round does the seeded order decide.

import type { TieBreak } from "./types.js";

/** Two tallies this close are equal: fractional transfers make float sums differ in the last bits. */
export function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** cyrb53: a small, well-mixed 53-bit string hash (public domain, bryc). Pure JS so browsers run it too. */
export function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function seededOrder(options: readonly string[], seed: string): string[] {
  const keyed = options.map((id) => ({ id, h: cyrb53(`${seed}\u0000${id}`) }));
  keyed.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.id);
}

export interface TieBreaker {
  readonly seed: string;
  /** option → position in the seeded order (0 = most favoured). */
  readonly priority: ReadonlyMap<string, number>;
  readonly log: TieBreak[];
  /**
   * Picks one of `tied`: the loser ("low", for elimination) or the winner ("high", for election/ranking).
   * `history` holds earlier rounds' tallies, oldest first; pass [] to go straight to the seeded order.
   */
  pick(tied: string[], want: "low" | "high", purpose: string, round: number | undefined, history: readonly Record<string, number>[]): string;
  /** Sorts options by descending value; equal values fall back to the seeded order, each such tie logged. */
  rank(options: readonly string[], value: (id: string) => number, purpose: string, round?: number): string[];
}

export function createTieBreaker(options: readonly string[], seed = ""): TieBreaker {
  const priority = new Map(seededOrder(options, seed).map((id, i) => [id, i]));
  const log: TieBreak[] = [];
  const prio = (id: string) => priority.get(id) ?? Number.MAX_SAFE_INTEGER;

  function bySeed(tied: string[], want: "low" | "high"): string {
    const sorted = [...tied].sort((a, b) => prio(a) - prio(b));
    return want === "high" ? sorted[0] : sorted[sorted.length - 1];
  }

  return {
    seed,
    priority,
    log,
    pick(tied, want, purpose, round, history) {
      if (tied.length === 1) return tied[0];
      let left = [...tied];
      for (let r = history.length - 1; r >= 0 && left.length > 1; r--) {
        const t = history[r];
        const values = left.map((id) => t[id] ?? 0);
        const best = want === "low" ? Math.min(...values) : Math.max(...values);
        const keep = left.filter((_, i) => same(values[i], best));
        if (keep.length < left.length) {
          left = keep;
          if (left.length === 1) {
            log.push({ round, purpose, tied: [...tied], chosen: left[0], rule: "previous rounds",
              detail: `${left[0]} had the ${want === "low" ? "fewest" : "most"} votes in round ${r + 1}` });
            return left[0];
          }
        }
      }
      const chosen = bySeed(left, want);
      log.push({ round, purpose, tied: [...tied], chosen, rule: "seed",
        detail: `equal in every earlier round; ${chosen} is ${want === "low" ? "last" : "first"} of ${left.join(", ")} in the order of seed "${seed}"` });
      return chosen;
    },
    rank(opts, value, purpose, round) {
      const sorted = [...opts].sort((a, b) => (same(value(a), value(b)) ? prio(a) - prio(b) : value(b) - value(a)));
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && same(value(sorted[j]), value(sorted[i]))) j++;
        if (j - i > 1) {
          const tied = sorted.slice(i, j);
          log.push({ round, purpose, tied, chosen: tied[0], rule: "seed",
            detail: `equal at ${value(tied[0])}; ordered ${tied.join(" > ")} by the order of seed "${seed}"` });
        }
        i = j;
      }
      return sorted;
    },
  };
}
