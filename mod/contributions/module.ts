// mod-contributions: a contribution programme (Code for GovTech's C4GT) over a community's GitHub App
// instances. GitHub events arrive through the governance module's port; who a GitHub user is in Polity comes
// from sys's identity port. Labelled issues become tickets, closing one credits its registered assignee in an
// append-only ledger, and the ledger adds up to a leaderboard and badges.
import { ContributionsService } from "../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { defineModule, type ModContext, service } from "../../sys/core/module.js";
import type { IdentityPort } from "../../sys/core/ports/identity-port.js";
import type { GovernancePort } from "../governance/index.js";
import type { ContributionsDeps } from "./deps.js";
import { contributionEntities } from "./entities.js";
import { contributionsMigrations } from "./migrations/index.js";
import { createContributionsService } from "./service/contributions-service.js";
import { type ContributionsWorker, createContributionsWorker } from "./worker.js";

export interface ContributionsModuleOptions {
  /** The governance module's port (read once the governance module has started). */
  governance: () => GovernancePort;
  /** Who a GitHub user is; by default the host's identity port, when it has one. */
  identity?: () => IdentityPort | undefined;
  /** How often every community is looked at without being woken (tests shorten it). */
  pollMs?: number;
}

export function createContributionsModule(options: ContributionsModuleOptions) {
  let deps: ContributionsDeps | undefined;
  let worker: ContributionsWorker | undefined;
  const stops: Array<() => Promise<void> | void> = [];

  const depsFor = (ctx: ModContext): ContributionsDeps =>
    (deps ??= {
      db: ctx.db,
      logger: ctx.logger.child({ module: "contributions" }),
      governance: options.governance,
      // A host without an identity port (a test host) has nobody registered: nothing is credited.
      identity: options.identity ?? (() => ctx.identity),
    });

  return {
    ...defineModule<ModContext>({
      id: "contributions",
      tier: "mod",
      entities: contributionEntities as never[],
      migrations: contributionsMigrations,
      services: (ctx) => [service(ContributionsService, createContributionsService(depsFor(ctx)))],
      async start(ctx) {
        depsFor(ctx);
      },
      // Applying events and the periodic reconciliation: only in a process of the worker tier.
      async work(ctx) {
        const shared = depsFor(ctx);
        const current = createContributionsWorker(shared, { pollMs: options.pollMs ?? 5000, reconcileIntervalSeconds: ctx.config.contributionsReconcileIntervalSeconds });
        worker = current;
        stops.unshift(() => current.stop());
        // Any replica's webhook turned into events: apply them now rather than at the next poll.
        stops.unshift(options.governance().onEvents((communityId) => current.wake(communityId)));
      },
      async stop() {
        for (const stop of stops.splice(0)) await stop();
        deps = undefined;
        worker = undefined;
      },
    }),
    /** Applies every pending event and runs due reconciliations now (tests step the worker with it). */
    drain: () => worker?.drain() ?? Promise.resolve(),
  };
}
