// mod-voting: polls with methods from a simple proposal to Schulze and STV, changeable ballots, liquid
// delegation, live and final results, and each community's tamper-evident activity log.
import { Code } from "@connectrpc/connect";
import { VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { domainMetricsOf } from "../../sys/core/domain-metrics.js";
import { apiError } from "../../sys/core/errors.js";
import { defineModule, type ModContext, service } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import { query, tableOf } from "../../sys/core/sql.js";
import type { DirectoryPort } from "../../sys/core/ports/directory-port.js";
import { ActivityEntry, ActivityHead } from "./activity/entities.js";
import { startMembershipSync } from "./activity/membership-sync.js";
import { createCastQueue } from "./ballots/cast-queue.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import type { VotingDeps } from "./deps.js";
import { Delegation } from "./delegation/entities.js";
import { PollEntity, votingEntities } from "./entities.js";
import { createLiveResults } from "./results/live.js";
import { votingMigrations } from "./migrations/index.js";
import { POLLS_CHANNEL } from "./polls/store.js";
import { createVotingPort, type VotingPort } from "./port.js";
import { createScheduler, type Scheduler } from "./polls/scheduler.js";
import { createVotingService } from "./voting-service.js";

// Without a directory (a host that does not provide one) every call that needs it is UNAVAILABLE.
const noDirectory: DirectoryPort = {
  getCommunity: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  getProject: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  listMembers: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  membershipEvents: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  profilesOf: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
  isMember: async () => { throw apiError(Code.Unavailable, "DIRECTORY_UNAVAILABLE", "no directory port configured"); },
};

/** Each instance owns its notifier, live-results cache, cast queue, scheduler and membership sync. */
export function createVotingModule() {
  let deps: VotingDeps | undefined;
  const stops: Array<() => Promise<void> | void> = [];
  const depsFor = (ctx: ModContext): VotingDeps => {
    if (deps) return deps;
    const notifier = createNotifier(ctx.db, ctx.logger);
    stops.push(() => notifier.close());
    const metrics = domainMetricsOf(ctx.metrics);
    deps = { db: ctx.db, directory: ctx.directory ?? noDirectory, notifier, logger: ctx.logger, live: createLiveResults(ctx.db), casts: createCastQueue(ctx.db, metrics.ballotCast),
      // The port's time functions; the same pure library when a hand-built context has no timespace port.
      time: ctx.timespace?.time ?? timeFunctions };
    return deps;
  };
  const module = defineModule<ModContext>({
    id: "voting",
    tier: "mod",
    entities: [...votingEntities, Delegation, ActivityEntry, ActivityHead] as never[],
    migrations: votingMigrations,
    services: (ctx) => [service(VotingService, createVotingService({ ...ctx, directory: ctx.directory ?? noDirectory }, depsFor(ctx)))],
    async start(ctx) {
      const { notifier, live } = depsFor(ctx);
      // Another replica's ballot must not be served from this replica's live-results cache.
      stops.unshift(notifier.subscribe(POLLS_CHANNEL, (pollId) => (pollId ? live.invalidate(pollId) : undefined)));
      domainMetricsOf(ctx.metrics).observeOpenPolls(async () => {
        const em = ctx.db.em();
        const rows = await query<{ method: string; n: string | number }>(em, `select method, count(*) as n from ${tableOf(em, PollEntity)} where state = 'open' group by method`);
        return rows.map((r) => ({ method: r.method, open: Number(r.n) }));
      });
    },
    // Scheduled opens and closes, and the membership sync of activity logs: only in a process of the worker tier.
    async work(ctx) {
      const { live, directory } = depsFor(ctx);
      const scheduler: Scheduler = createScheduler({ db: ctx.db, directory, logger: ctx.logger, onChange: (id) => live.invalidate(id) });
      stops.unshift(() => scheduler.stop());
      stops.unshift(startMembershipSync({ db: ctx.db, directory, logger: ctx.logger }));
    },
    async stop() {
      for (const stop of stops.splice(0)) await stop();
      deps = undefined;
    },
  });
  // What other modules of the tier call (governance's `polity` plugin); ready once the module has started.
  const port = (): VotingPort => {
    if (!deps) throw new Error("the voting module has not started: its port is not ready");
    return createVotingPort(deps);
  };
  return Object.assign(module, { port });
}
