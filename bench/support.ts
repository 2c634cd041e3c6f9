// What the benchmarks share: a seeded generator (same data every run) and peak-memory sampling.

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const mb = (bytes: number) => Math.round(bytes / 1048576);

export interface Peak {
  result: unknown;
  ms: number;
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
}

/**
 * Runs `fn`, sampling memory every `everyMs` (and once more at the end) after a GC when `--expose-gc` is on.
 * Synchronous work never yields to the sampler, so callers of long synchronous loops should sample themselves.
 */
export async function measurePeak<T>(fn: () => Promise<T> | T, everyMs = 5): Promise<Peak & { result: T }> {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, everyMs);
  const started = performance.now();
  try {
    const result = await fn();
    sample();
    return { result, ms: Math.round(performance.now() - started), baseRss: base.rss, baseHeap: base.heapUsed, peakRss, peakHeap };
  } finally {
    clearInterval(sampler);
  }
}
