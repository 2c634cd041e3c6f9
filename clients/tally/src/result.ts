// The parts of a Result every method fills the same way.
import type { Method, Result, TallyConfig } from "./types.js";

export function seatsOf(config: TallyConfig): number {
  const seats = config.seats ?? 1;
  if (!Number.isInteger(seats) || seats < 1) throw new RangeError(`seats must be a positive integer, got ${seats}`);
  return seats;
}

export function baseResult(method: Method, config: TallyConfig, options: string[]): Result {
  return {
    method,
    options,
    seats: seatsOf(config),
    seed: config.seed ?? "",
    winners: [],
    ranking: [],
    rounds: [],
    tieBreaks: [],
    ballots: 0,
    totalWeight: 0,
    blankWeight: 0,
  };
}

/** Options in the count: the configured ones minus the withdrawn. */
export function countedOptions(config: TallyConfig): string[] {
  const withdrawn = new Set(config.withdrawn ?? []);
  return config.options.filter((o) => !withdrawn.has(o));
}

export function tableOf(options: readonly string[], value: (i: number) => number): Record<string, number> {
  const t: Record<string, number> = {};
  options.forEach((o, i) => (t[o] = value(i)));
  return t;
}
