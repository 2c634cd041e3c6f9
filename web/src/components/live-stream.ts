// Follows a server stream for as long as the page shows it: a stream that ends (the server's deadline, a proxy's
// idle timeout, a restart) or drops is opened again after a short, growing pause, and every reopening starts
// with the current state, so nothing is missed. A `live` badge says whether the view is following.
import { Code, ConnectError } from "@connectrpc/connect";
import { errorBox } from "../errors.js";

export interface FollowOptions<T> {
  open(signal: AbortSignal): AsyncIterable<T>;
  /** Handles one message; returning "stop" ends following (e.g. the thing watched is over). */
  onMessage(message: T): void | "stop";
  signal: AbortSignal;
  live: HTMLElement;
  slot: HTMLElement;
  /** Pause before the n-th reopening in a row without a message in between (default 1 s, 2 s, … up to 10 s). */
  pauseMs?(attempt: number): number;
  maxAttempts?: number;
}

const RETRIABLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.ResourceExhausted]);

function mark(live: HTMLElement, state: "live" | "off" | "done", text: string): void {
  live.dataset.state = state;
  live.textContent = text;
}

export async function followStream<T>(options: FollowOptions<T>): Promise<void> {
  const { signal, live, slot } = options;
  const pause = options.pauseMs ?? ((n) => Math.min(10_000, 1000 * n));
  const maxAttempts = options.maxAttempts ?? 8;
  for (let attempt = 0; !signal.aborted && attempt < maxAttempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, pause(attempt)));
    if (signal.aborted) return;
    mark(live, "live", "live");
    try {
      for await (const message of options.open(signal)) {
        attempt = 0;
        slot.replaceChildren();
        if (options.onMessage(message) === "stop") return mark(live, "done", "finished");
      }
    } catch (err) {
      const code = ConnectError.from(err).code;
      if (signal.aborted || code === Code.Canceled) return;
      if (!RETRIABLE.has(code)) {
        mark(live, "off", "not live");
        slot.replaceChildren(errorBox(err));
        return;
      }
    }
    mark(live, "off", "reconnecting");
  }
  if (!signal.aborted) mark(live, "off", "not live");
}
