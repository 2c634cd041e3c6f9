// The module's background work on every replica: a community's GitHub events applied as soon as governance
// announces them (any replica's append is announced to all), every community looked at every `pollMs` anyway,
// and due reconciliations run (one replica each).
import type { ContributionsDeps } from "./deps.js";
import { consumedCommunities, createConsumer } from "./consumer/consume.js";
import { reconcileOneDue, syncReconcileRuns } from "./reconcile/schedule.js";

export interface ContributionsWorker {
  wake(communityId?: string): void;
  /** Applies everything pending now and runs due reconciliations; resolves when done (tests step with it). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  pollMs: number;
  reconcileIntervalSeconds: number;
}

export function createContributionsWorker(deps: ContributionsDeps, options: WorkerOptions): ContributionsWorker {
  const consumer = createConsumer(deps);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  // undefined in the set: every community.
  const pending = new Set<string | undefined>([undefined]);

  const communities = async (): Promise<string[]> => {
    const instances = await deps.governance().instancesOf("github");
    return [...new Set([...instances.map((i) => i.communityId), ...(await consumedCommunities(deps.db.em()))])];
  };

  const pass = async () => {
    const asked = [...pending];
    pending.clear();
    const all = asked.includes(undefined);
    for (const communityId of all ? await communities() : (asked as string[])) {
      if (stopped) return;
      try {
        await consumer.consume(communityId);
      } catch (error) {
        deps.logger.warn({ err: error, community: communityId }, "contributions: applying GitHub events failed");
      }
    }
    if (!all || stopped) return;
    try {
      await syncReconcileRuns(deps);
      while (!stopped && (await reconcileOneDue(deps, options.reconcileIntervalSeconds)));
    } catch (error) {
      deps.logger.warn({ err: error }, "contributions: scheduling reconciliation failed");
    }
  };

  const run = (): Promise<void> => {
    if (!running) {
      running = (async () => {
        while (pending.size > 0 && !stopped) await pass();
      })().finally(() => {
        running = undefined;
        if (pending.size > 0 && !stopped) void run();
      });
    }
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      pending.add(undefined);
      void run().finally(schedule);
    }, options.pollMs);
    timer.unref();
  };
  schedule();

  return {
    wake(communityId) {
      pending.add(communityId);
      void run();
    },
    async drain() {
      pending.add(undefined);
      while (running || pending.size > 0) await run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
