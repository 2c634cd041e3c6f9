// Test helpers: ballots from compact strings, a seeded generator of random elections, and hash-chained logs.
import { canonicalJson, type ChainEntry, entryHash } from "./chain.js";
import type { RankedBallot } from "./types.js";

/** "3: A>B=C" → a ranked ballot (the same syntax as the plain text format). */
export function r(spec: string): RankedBallot {
  const [count, body] = spec.includes(":") ? spec.split(":") : ["1", spec];
  return { count: Number(count), ranks: body.trim() ? body.split(">").map((g) => g.split("=").map((s) => s.trim())) : [] };
}

/** mulberry32: a tiny seeded PRNG, so random elections are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomElection(seed: number, nOptions: number, nBallots: number, opts: { ties?: boolean; fractional?: boolean } = {}) {
  const rand = prng(seed);
  const options = Array.from({ length: nOptions }, (_, i) => String.fromCharCode(65 + i));
  const ballots: RankedBallot[] = [];
  for (let b = 0; b < nBallots; b++) {
    const order = [...options].sort(() => rand() - 0.5).slice(0, 1 + Math.floor(rand() * nOptions));
    const ranks: string[][] = [];
    for (const o of order) {
      if (opts.ties && ranks.length && rand() < 0.2) ranks[ranks.length - 1].push(o);
      else ranks.push([o]);
    }
    ballots.push({ ranks, count: opts.fractional ? Math.round(rand() * 300) / 100 : 1 + Math.floor(rand() * 3) });
  }
  return { options, ballots };
}

/** One activity entry to chain: its kind, actor, poll and payload. */
export type LogItem = [kind: string, actorId: string, pollId: string, payload: Record<string, unknown>];

/** A well-formed hash-chained activity log of `items`, numbered from 1. */
export async function chainedLog(items: LogItem[]): Promise<ChainEntry[]> {
  const out: ChainEntry[] = [];
  let prev = "";
  for (const [i, [kind, actorId, pollId, payload]] of items.entries()) {
    const e = { sequence: i + 1, kind, time: new Date(0).toISOString(), actorId, pollId, payload: canonicalJson(payload), prevHash: prev };
    prev = await entryHash(e);
    out.push({ ...e, hash: prev });
  }
  return out;
}
