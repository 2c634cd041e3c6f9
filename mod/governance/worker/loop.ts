// The governance module's background work on every replica: webhooks in the inbox, due process updates, due
// deliveries and event producers. Each row is claimed by one replica at a time (claim.ts). The loop wakes on a
// notification (a webhook stored, a delivery queued) and otherwise looks every `pollMs`.
import type { GovernanceDeps } from "../deps.js";
import { deliverOne } from "./deliveries.js";
import { processInboxOne } from "./inbox.js";
import { produceOne } from "./producers.js";
import { pruneFinished } from "./prune.js";
import { sweepOne } from "./sweep.js";

export interface GovernanceWorker {
  wake(): void;
  /** Does everything due now; resolves when nothing is left (tests call it to step the worker). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const STEPS = [processInboxOne, sweepOne, deliverOne, produceOne];
const BATCH = 50;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export function createGovernanceWorker(deps: () => GovernanceDeps, options: { pollMs?: number } = {}): GovernanceWorker {
  const pollMs = options.pollMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const pass = async () => {
    for (const step of STEPS) {
      for (let i = 0; i < BATCH && !stopped; i++) {
        try {
          if (!(await step(deps()))) break;
        } catch (error) {
          // A database hiccup: logged, and the next pass tries again.
          deps().logger.warn({ err: error, step: step.name }, "governance worker step failed");
          break;
        }
      }
    }
  };

  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
      schedule();
    });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), pollMs);
    timer.unref();
  };

  schedule();
  const pruning = setInterval(() => {
    pruneFinished(deps()).catch((error: unknown) => deps().logger.warn({ err: error }, "governance retention pruning failed"));
  }, PRUNE_EVERY_MS);
  pruning.unref();
  return {
    wake: () => void run(),
    drain: async () => {
      await run();
      if (running) await running;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(pruning);
      await running;
    },
  };
}
