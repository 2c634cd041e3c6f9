// One progress line on stderr for long work (an audit of a large log, a tally of a large file), redrawn in
// place and erased when done. Only on a terminal: piped or captured stderr gets nothing, so scripts and tests
// see exactly what they saw before.
import type { Io } from "./io.js";

export interface Progress {
  /** Says what is happening now, e.g. "12,000 of 50,000 entries verified". */
  update(text: string): void;
  /** Erases the line. */
  done(): void;
}

const MIN_INTERVAL_MS = 100;

export function createProgress(io: Io, label: string, opts: { intervalMs?: number; now?: () => number } = {}): Progress {
  if (!io.progress) return { update: () => {}, done: () => {} };
  const { intervalMs = MIN_INTERVAL_MS, now = Date.now } = opts;
  let last = -Infinity;
  let drawn = false;
  return {
    update(text) {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      drawn = true;
      io.stderr(`\r\x1b[K${label}: ${text}`);
    },
    done() {
      if (drawn) io.stderr("\r\x1b[K");
      drawn = false;
    },
  };
}

/** "12,000 of 50,000 (24%)" */
export function countOf(done: number, total: number, unit: string): string {
  const pct = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : "";
  return `${done.toLocaleString("en")} of ${total.toLocaleString("en")} ${unit}${pct}`;
}
