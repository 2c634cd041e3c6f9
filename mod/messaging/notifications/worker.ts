// The worker tier's notification loop: every `pollMs`, and soon after any poll changed or campaign threshold was
// crossed, each community with notifications on is caught up with its activity log and the campaigns' crossings,
// then closing reminders are swept. Each replica may run it: the cursors' row lock and the reminders' unique key
// keep what they create to once.
import type { EntityManager } from "../../../sys/core/db.js";
import type { MessagingDeps } from "../deps.js";
import { NotificationSettingsEntity } from "./entities.js";
import { followCrossingsOnce, followOnce } from "./follow.js";
import { remindClosing } from "./remind.js";
import type { NotificationSources } from "./sources.js";

export interface NotificationsWorker {
  wake(): void;
  /** Runs passes until nothing is left to do now (tests step the loop with it). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

// Entries handled per community per pass, so one busy community cannot starve the others.
const PER_COMMUNITY = 200;
const WAKE_DELAY_MS = 250;

export function createNotificationsWorker(deps: MessagingDeps, sources: NotificationSources, options: { pollMs: number }): NotificationsWorker {
  let stopped = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = async (): Promise<void> => {
    const em = deps.db.em().fork() as EntityManager;
    const communities = (await em.find(NotificationSettingsEntity, { active: true }, { fields: ["communityId"] })).map((r) => r.communityId);
    for (const communityId of communities) {
      try {
        for (let i = 0; i < PER_COMMUNITY && !stopped && (await followOnce(deps, sources, communityId)); i++);
        for (let i = 0; i < PER_COMMUNITY && !stopped && (await followCrossingsOnce(deps, sources, communityId)); i++);
      } catch (error) {
        deps.logger.warn({ err: error, community: communityId }, "notifications: following the activity log failed; retried on the next pass");
      }
    }
    if (!stopped) await remindClosing(deps, sources);
  };

  const run = (): Promise<void> => {
    again = true;
    running ??= (async () => {
      while (again && !stopped) {
        again = false;
        await pass().catch((error) => deps.logger.warn({ err: error }, "notifications: a pass failed"));
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // A burst of ballots announces every poll change: one pass a little later covers them all.
  let soon: NodeJS.Timeout | undefined;
  const wakeSoon = () => {
    if (stopped || soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      void run();
    }, WAKE_DELAY_MS);
    soon.unref();
  };
  const unsubscribes: Array<() => void> = [];
  try {
    if (sources.voting) unsubscribes.push(sources.voting().onPollChanged(wakeSoon));
  } catch (error) {
    deps.logger.warn({ err: error }, "notifications: cannot hear poll changes; following by polling only");
  }
  try {
    if (sources.disco) unsubscribes.push(sources.disco().onCrossing(wakeSoon));
  } catch (error) {
    deps.logger.warn({ err: error }, "notifications: cannot hear campaign crossings; following by polling only");
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(schedule), options.pollMs);
    timer.unref();
  };
  schedule();

  return {
    wake: wakeSoon,
    // A pass already running when asked loops once more (`again`), so the changes before this call are seen.
    drain: () => run(),
    async stop() {
      stopped = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
      clearTimeout(timer);
      clearTimeout(soon);
      await running;
    },
  };
}
