// mod-governance: plugins that bridge the platforms a community already uses (Metagov's model) — actions,
// asynchronous processes with signed callbacks, incoming webhooks through a durable inbox, and events streamed
// or delivered to drivers — inside Polity's authorization, audit and activity log.
import { GovernanceService } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { domainMetricsOf } from "../../sys/core/domain-metrics.js";
import { defineModule, type ModContext, service } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import { createSafeFetch } from "../../sys/core/outbound/safe-fetch.js";
import { loadSecretsKeyring } from "../../sys/core/secrets/secrets-key.js";
import type { VotingPort } from "../voting/index.js";
import { type GovernanceDeps, WORK_CHANNEL } from "./deps.js";
import { governanceEntities } from "./entities.js";
import { createGovernanceService } from "./governance-service.js";
import { createMetagovRoutes } from "./metagov/index.js";
import { governanceMigrations } from "./migrations/index.js";
import { createGovernancePort } from "./port.js";
import { createShippedPlugins } from "./plugins/index.js";
import { rotateGovernanceSecrets } from "./secrets-rotation.js";
import { createPluginRegistry } from "./registry.js";
import type { PluginDefinition } from "./sdk/define-plugin.js";
import { createWebhookRoutes } from "./webhooks/routes.js";
import { createGovernanceWorker, type GovernanceWorker } from "./worker/loop.js";

export interface GovernanceModuleOptions {
  plugins?: PluginDefinition[];
  /** The voting module's port, for the `polity` plugin (read when first needed, after the voting module started). */
  voting?: () => VotingPort;
  /** How often the worker looks for due work without being woken (tests shorten it). */
  workerPollMs?: number;
}

export function createGovernanceModule(options: GovernanceModuleOptions = {}) {
  const registry = createPluginRegistry(options.plugins ?? createShippedPlugins());
  let deps: GovernanceDeps | undefined;
  let worker: GovernanceWorker | undefined;
  const stops: Array<() => Promise<void> | void> = [];

  const depsFor = (ctx: ModContext): GovernanceDeps => {
    if (deps) return deps;
    const notifier = createNotifier(ctx.db, ctx.logger);
    stops.push(() => notifier.close());
    const keyring = loadSecretsKeyring(ctx.config, ctx.db.kind === "pglite");
    let voting: VotingPort | undefined;
    const safeFetch = createSafeFetch({ allowPrivate: ctx.config.outboundAllowPrivate });
    stops.push(() => safeFetch.close());
    deps = {
      db: ctx.db,
      config: ctx.config,
      logger: ctx.logger.child({ module: "governance" }),
      registry,
      secrets: { seal: (text, context) => keyring.seal(text, context), open: (sealed, context) => keyring.open(sealed, context) },
      authz: ctx.authz,
      notifier,
      fetch: safeFetch as typeof fetch,
      metrics: domainMetricsOf(ctx.metrics),
      get voting() {
        return (voting ??= options.voting?.());
      },
      // Without a worker here (a mod-only process) the worker processes are woken through the notifier.
      wake: () => {
        if (worker) worker.wake();
        else notifier.publish(WORK_CHANNEL, "wake").catch((error: unknown) => ctx.logger.warn({ err: error }, "could not wake the governance workers"));
      },
    };
    return deps;
  };

  const port = createGovernancePort(() => {
    if (!deps) throw new Error("the governance module has not started");
    return deps;
  }, () => deps!.notifier);

  return {
    ...defineModule<ModContext>({
      id: "governance",
      tier: "mod",
      entities: governanceEntities as never[],
      migrations: governanceMigrations,
      services: (ctx) => [service(GovernanceService, createGovernanceService(depsFor(ctx)))],
      // Incoming webhooks, and Metagov's HTTP API as a client of this server's own gRPC API.
      routes: (ctx) => [...createWebhookRoutes(() => depsFor(ctx)), ...createMetagovRoutes({ config: ctx.config, logger: ctx.logger, selfUrl: ctx.selfUrl })],
      async start(ctx) {
        depsFor(ctx); // the port other modules use is ready once the module started, whatever this process runs
      },
      // The process updates, deliveries and inbox processing: only in a process of the worker tier.
      async work(ctx) {
        const shared = depsFor(ctx);
        worker = createGovernanceWorker(() => shared, { pollMs: options.workerPollMs });
        // Another replica stored a webhook, queued a delivery or created a process: look now, not at the next poll.
        stops.unshift(shared.notifier.subscribe(WORK_CHANNEL, () => worker?.wake()));
        stops.unshift(() => worker?.stop());
      },
      async stop() {
        for (const stop of stops.splice(0)) await stop();
        deps = undefined;
        worker = undefined;
      },
      rotateSecrets: rotateGovernanceSecrets,
    }),
    /** What other mod modules use (after this module started). */
    port: () => port,
    /** Runs every due piece of background work now (tests step the worker with it). */
    drain: () => worker?.drain() ?? Promise.resolve(),
  };
}
