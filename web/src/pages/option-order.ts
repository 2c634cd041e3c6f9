// The order a voter sees a poll's options in. Listed order unless the poll asks for shuffling; then a
// shuffle seeded by poll and voter, so each voter keeps one order across visits while the listing order favours
// no option across voters. Pure: no DOM.

/** FNV-1a, 32 bits: a small stable hash of the seed string (not a security measure: the order is no secret). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: a seeded generator of floats in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `items` in a Fisher–Yates order seeded by `seed`; the input is not changed. */
export function seededShuffle<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const next = generator(fnv1a(seed));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The options in the order this voter sees them. */
export function optionOrder<T>(poll: { id: string; shuffleOptions: boolean; options: readonly T[] }, voterId: string | undefined): T[] {
  return poll.shuffleOptions ? seededShuffle(poll.options, `${poll.id}\n${voterId ?? ""}`) : [...poll.options];
}
