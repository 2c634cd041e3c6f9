// mod-voting: polls with methods from a simple proposal to Schulze and STV, changeable ballots, liquid
// delegation, live and final results, and each community's tamper-evident activity log.
import { Code } from "@connectrpc/connect";
import { VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { Database } from "../../sys/core/db.js";
import { apiError } from "../../sys/core/errors.js";
import { defineModule, type ModContext, service } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import type { DirectoryPort } from "../../sys/core/ports/directory-port.js";
import { ActivityEntry, ActivityHead } from "./activity/entities.js";
import { startMembershipSync } from "./activity/membership-sync.js";
import { votingActivityInit } from "./activity/migrations/20261122001200-mod-voting-activity.js";
import { createCastQueue } from "./cast-queue.js";
import type { VotingDeps } from "./deps.js";
import { Delegation } from "./delegation/entities.js";
import { votingDelegationsInit } from "./delegation/migrations/20261122001100-mod-voting-delegations.js";
import { votingEntities } from "./entities.js";
import { createLiveResults } from "./live-results.js";
import { votingPolls } from "./migrations/20261122001000-mod-voting-polls.js";
import { POLLS_CHANNEL } from "./poll-store.js";
import { createScheduler, type Scheduler } from "./scheduler.js";
import { createVotingService } from "./voting-service.js";

// Without a directory (a host that does not provide one) every call that needs it is UNAVAILABLE.
const noDirectory: DirectoryPort = {
  getCommunity: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  listMembers: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  membershipEvents: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
};

interface Running {
  deps: VotingDeps;
  scheduler?: Scheduler;
  stops: Array<() => Promise<void> | void>;
}

// One running instance per tier database (a process may host several servers, as tests do).
const instances = new Map<Database, Running>();

function instanceFor(ctx: ModContext): Running {
  let running = instances.get(ctx.db);
  if (running) return running;
  const notifier = createNotifier(ctx.db, ctx.logger);
  const live = createLiveResults(ctx.db);
  const deps: VotingDeps = { db: ctx.db, directory: ctx.directory ?? noDirectory, notifier, logger: ctx.logger, live, casts: createCastQueue(ctx.db) };
  running = { deps, stops: [() => notifier.close()] };
  instances.set(ctx.db, running);
  return running;
}

export const votingModule = defineModule<ModContext>({
  id: "voting",
  tier: "mod",
  entities: [...votingEntities, Delegation, ActivityEntry, ActivityHead] as never[],
  migrations: [votingPolls, votingDelegationsInit, votingActivityInit],
  services: (ctx) => [service(VotingService, createVotingService({ ...ctx, directory: ctx.directory ?? noDirectory }, instanceFor(ctx).deps))],
  async start(ctx) {
    const running = instanceFor(ctx);
    const { deps } = running;
    // Another replica's ballot must not be served from this replica's live-results cache.
    running.stops.unshift(deps.notifier.subscribe(POLLS_CHANNEL, (pollId) => (pollId ? deps.live.invalidate(pollId) : undefined)));
    running.scheduler = createScheduler({ db: ctx.db, directory: deps.directory, logger: ctx.logger, onChange: (id) => deps.live.invalidate(id) });
    running.stops.unshift(() => running.scheduler!.stop());
    running.stops.unshift(startMembershipSync({ db: ctx.db, directory: deps.directory, logger: ctx.logger }));
  },
  async stop(ctx) {
    const running = instances.get(ctx.db);
    instances.delete(ctx.db);
    for (const stop of running?.stops ?? []) await stop();
  },
});
