// The shape of every "list, then follow" stream (WatchActivity, WatchEvents): read rows after a position in
// batches, then wait for a notification (or a poll, since notifications are hints and may be lost) and read
// again, until the caller goes away. Subscribed before the first read, so a row committed in between is not
// left to the next poll.
import type { Notifier } from "./notifier.js";

export interface WatchRowsOptions<T> {
  notifier: Notifier;
  channel: string;
  signal: AbortSignal;
  /** The position to read after (a sequence). */
  start: number;
  /** Up to `limit` rows after `after`, in order. */
  read(after: number, limit: number): Promise<T[]>;
  positionOf(row: T): number;
  batch: number;
  pollMs: number;
}

export async function* watchRows<T>(options: WatchRowsOptions<T>): AsyncGenerator<T> {
  const { notifier, channel, signal } = options;
  let wake: (() => void) | undefined;
  let dirty = true;
  const unsubscribe = notifier.subscribe(channel, () => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    await notifier.ready(channel);
    let after = options.start;
    while (!signal.aborted) {
      dirty = false;
      const rows = await options.read(after, options.batch);
      for (const row of rows) {
        yield row;
        after = options.positionOf(row);
      }
      if (rows.length === options.batch || dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
