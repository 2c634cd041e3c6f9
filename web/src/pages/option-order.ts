// The order a voter sees a poll's options in. Listed order unless the poll asks for shuffling; then a
// shuffle seeded by poll and voter, so each voter keeps one order across visits while the listing order favours
// no option across voters. Pure: no DOM.
import { seededOrder } from "@polity/tally";

/**
 * `items` in an order seeded by `seed` (the input is not changed): the tally engine's seeded order — each position
 * keyed by a hash of the seed and its index — so the web needs no generator of its own.
 */
export function seededShuffle<T>(items: readonly T[], seed: string): T[] {
  return seededOrder(items.map((_, i) => String(i)), seed).map((i) => items[Number(i)]);
}

/** The options in the order this voter sees them. */
export function optionOrder<T>(poll: { id: string; shuffleOptions: boolean; options: readonly T[] }, voterId: string | undefined): T[] {
  return poll.shuffleOptions ? seededShuffle(poll.options, `${poll.id}\n${voterId ?? ""}`) : [...poll.options];
}
