// The blasts' background work in the worker tier: expand running blasts chunk by chunk, finish cancelling
// cancelled blasts' pending messages, and mark finished blasts DONE. Woken by CreateBlast/ResumeBlast through
// the notifier, and polling anyway (a missed wake-up, or a blast left half-expanded by a killed worker).
import type { MessagingDeps } from "../deps.js";
import { BLAST_CHANNEL } from "./blast-rows.js";
import { cancelledWithPending, cancelPendingChunk, markDone } from "./blast-messages.js";
import { BLASTS_WAKE_CHANNEL } from "./create-blast.js";
import { expandNextChunk } from "./expand.js";

const POLL_MS = 2000;

export async function startBlastWorker(deps: MessagingDeps, options: { pollMs?: number } = {}): Promise<() => Promise<void>> {
  let stopped = false;
  let wake: (() => void) | undefined;
  let woken = true;
  const unsubscribe = deps.notifier.subscribe(BLASTS_WAKE_CHANNEL, () => {
    woken = true;
    wake?.();
  });
  const loop = (async () => {
    while (!stopped) {
      woken = false;
      try {
        await runOnce(deps);
      } catch (error) {
        deps.logger.error({ err: error }, "blast worker round failed");
      }
      if (stopped || woken) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.pollMs ?? POLL_MS).unref();
      });
      wake = undefined;
    }
  })();
  return async () => {
    stopped = true;
    unsubscribe();
    wake?.();
    await loop;
  };
}

/** One round: every chunk there is to expand, then the sweeps. Exported for tests and benchmarks. */
export async function runOnce(deps: MessagingDeps): Promise<void> {
  while (await expandNextChunk(deps));
  for (let id = await cancelledWithPending(deps.db.em()); id; id = await cancelledWithPending(deps.db.em())) {
    if ((await cancelPendingChunk(deps, id)) === 0) break;
  }
  for (const id of await markDone(deps.db.em())) await deps.notifier.publish(BLAST_CHANNEL(id), "DONE");
}
