// The composition root: which tiers run here, which modules they hold, and whether sys is reached in-process
// or over the network. sys/core only composes what it is given.
import { loadSecretsKeyring } from "../core/secrets/secrets-key.js";
import type { Logger } from "pino";
import { createRemoteTokenVerifier } from "../core/authn/token-verifier.js";
import type { Config } from "../core/config.js";
import { type Database, openDatabase } from "../core/db.js";
import { type Host, type HostPorts, startHost, type TierPlan } from "../core/host.js";
import type { ModContext, PolityModule, Tier, TierContext } from "../core/module.js";
import { createJobQueue, type JobQueueService } from "../core/jobs/pg-boss-queue.js";
import type { Concern } from "../core/pipeline/concern.js";
import { createRemoteAuthorization } from "../core/ports/remote-authorization.js";
import { createRemoteDirectory } from "../core/ports/remote-directory.js";
import type { IdentityPort } from "../core/ports/identity-port.js";
import { createRemoteIdentity } from "../core/ports/remote-identity.js";
import { createRemoteTimespace } from "../core/ports/remote-timespace.js";
import type { TimespacePort } from "../core/ports/timespace-port.js";
import { createInProcessTimespace, registerPlacesDatabase } from "../timespace/places/index.js";
import { chainForwarders, type Forwarder } from "../core/forwarding/forwarder.js";
import { createModuleForwarder } from "../core/forwarding/module-forwarder.js";
import { createSysForwarder } from "../core/forwarding/sys-forwarder.js";
import { createSysHealthList } from "../core/forwarding/sys-health.js";
import { createTracingFromEnv, type Tracing } from "../core/tracing/tracing.js";
import { forwardTargets, modulesToRun, selectModModules } from "./module-selection.js";
import { createModModuleInstances, createModModules, createSysModules, type ModModulesOptions } from "./modules.js";
import { createSysTier } from "./sys-tier.js";

export interface ComposeOptions {
  /** Extra call-pipeline concerns, outermost first (tests use this to observe every call). */
  concerns?: Concern[];
  /** Tracing to use instead of the one OTEL_* asks for (tests export to memory). */
  tracing?: Tracing;
  /** Options of the mod tier's modules (tests offer probe governance plugins). */
  mod?: ModModulesOptions;
}

/** Opens one tier's database with the given modules' entities and applies their migrations. */
export async function openTierDatabase(tier: Tier, modules: PolityModule<never>[], config: Config, logger: Logger, tracing?: Tracing): Promise<Database> {
  const db = await openDatabase({ tier, config, logger, entities: modules.flatMap((m) => m.entities), migrations: modules.flatMap((m) => m.migrations), tracer: tracing?.tracer });
  await db.migrate();
  return db;
}

/** `polityd migrate`: applies every enabled tier's migrations. */
export async function migrateTiers(config: Config, logger: Logger): Promise<void> {
  selectModModules(config.modules); // every mod module's migrations apply whatever --modules says, but a misspelt name is still an error
  for (const [tier, modules] of [["sys", createSysModules()], ["mod", createModModules()]] as const) {
    if (!config.tiers.includes(tier) && !(tier === "mod" && config.tiers.includes("worker"))) continue;
    const db = await openTierDatabase(tier, modules as PolityModule<never>[], config, logger);
    try {
      // The job queue's own schema (pg-boss installs and migrates it under its advisory lock).
      if (tier === "mod") await openJobQueue(config, logger, db, false).then((jobs) => jobs.stop());
    } finally {
      await db.close();
    }
  }
}

/** The mod database's job queue, one per process; only a worker process supervises it (expires dead workers' jobs). */
async function openJobQueue(config: Config, logger: Logger, db: Database, supervise: boolean): Promise<JobQueueService> {
  const jobs = createJobQueue(db, logger.child({ component: "jobs" }), { expireSeconds: config.jobExpireSeconds, pollIntervalMs: config.jobPollIntervalMs, supervise });
  await jobs.start();
  return jobs;
}

/** `polityd secrets rotate`: every module of the mod tier re-seals what an older secrets key sealed. */
export async function rotateSecrets(config: Config, logger: Logger): Promise<number> {
  const modules = createModModules();
  const db = await openTierDatabase("mod", modules as PolityModule<never>[], config, logger);
  try {
    const keyring = loadSecretsKeyring(config, db.kind === "pglite");
    let resealed = 0;
    for (const module of modules) resealed += (await module.rotateSecrets?.(db, keyring)) ?? 0;
    return resealed;
  } finally {
    await db.close();
  }
}

export async function composeHost(config: Config, logger: Logger, options: ComposeOptions = {}): Promise<Host> {
  const tiers: TierPlan[] = [];
  const opened: Database[] = [];
  let jobs: JobQueueService | undefined;
  let forward: Forwarder | undefined;
  const serveMod = config.tiers.includes("mod");
  const runWork = config.tiers.includes("worker");
  // Checked before anything opens: a misspelt module is a config error, not a half-started process.
  const selection = selectModModules(config.modules);
  const moduleTargets = forwardTargets(config.moduleUrls, selection);
  // Off unless OTEL_* asks for it: then the server span is the outermost concern, and the ports and databases trace.
  const tracing = options.tracing ?? createTracingFromEnv(config.tiers);
  try {
    let ports: HostPorts;
    let identity: IdentityPort;
    let timespace: TimespacePort;
    let sysDb: Database | undefined;
    if (config.tiers.includes("sys")) {
      const modules = createSysModules();
      const db = await openTierDatabase("sys", modules as PolityModule<never>[], config, logger, tracing);
      opened.push(db);
      const sys = await createSysTier(config, logger, db);
      tiers.push({ db, modules: modules as PolityModule<TierContext>[], context: sys.context });
      ports = sys.ports;
      identity = sys.identity;
      timespace = createInProcessTimespace(db);
      sysDb = db;
    } else {
      const remoteDirectory = createRemoteDirectory({ sysUrl: config.sysUrl!, logger, serviceApiKey: config.modServiceApiKey, tracer: tracing?.tracer });
      const remoteIdentity = createRemoteIdentity({ sysUrl: config.sysUrl!, logger, serviceApiKey: config.modServiceApiKey, tracer: tracing?.tracer });
      identity = remoteIdentity;
      const remoteTimespace = createRemoteTimespace({ sysUrl: config.sysUrl!, logger, tracer: tracing?.tracer });
      timespace = remoteTimespace;
      ports = {
        authorization: createRemoteAuthorization({ sysUrl: config.sysUrl!, ttlMs: config.authzCacheTtlMs, logger, tracer: tracing?.tracer }),
        verifier: createRemoteTokenVerifier(config.sysUrl!),
        directory: remoteDirectory,
        upstreamHealth: createSysHealthList(config.sysUrl!),
        close: () => Promise.all([remoteDirectory.close(), remoteIdentity.close(), remoteTimespace.close()]).then(() => undefined),
      };
      // Every client reaches sys through a mod process too: one URL for the GUI, CLI and SDK. A worker-only
      // process serves no API, so it forwards nothing.
      if (serveMod) forward = createSysForwarder({ sysUrl: config.sysUrl!, logger, tracer: tracing?.tracer });
    }
    // Modules served elsewhere are reached through this process too (`moduleUrls`): one mod URL for every module.
    if (serveMod && moduleTargets.length > 0) forward = chainForwarders([forward, createModuleForwarder({ targets: moduleTargets, logger, tracer: tracing?.tracer })]);
    if (serveMod || runWork) {
      const instances = createModModuleInstances(options.mod);
      const modules = modulesToRun(instances, selection);
      logger.info({ modules: selection.served, portsOnly: selection.portsOnly, forwarded: Object.fromEntries(moduleTargets.map((t) => [t.module, t.url])) }, "mod modules");
      // Every module's tables and migrations, whichever modules run here: processes sharing the mod schema agree on it.
      const db = await openTierDatabase("mod", instances.map((i) => i.module) as PolityModule<never>[], config, logger, tracing);
      opened.push(db);
      // Every mod process can enqueue; only a worker process polls (through the modules' `work`) and supervises.
      const queue = (jobs = await openJobQueue(config, logger, db, runWork));
      const context: ModContext = { config, logger, db, authz: ports.authorization, directory: ports.directory, identity, jobs: queue, timespace };
      tiers.push({ db, modules: modules as PolityModule<TierContext>[], context, serve: serveMod, work: runWork, stop: () => queue.stop() });
    }
    const concerns = tracing ? [tracing.concern, ...(options.concerns ?? [])] : options.concerns;
    const host = await startHost({ config, logger, tiers, ports, concerns, forward, jobs });
    const composed = tracing ? { ...host, stop: () => host.stop().finally(() => tracing.shutdown()) } : host;
    if (sysDb) registerPlacesDatabase(composed, sysDb);
    return composed;
  } catch (error) {
    await jobs?.stop().catch(() => undefined);
    for (const db of opened.reverse()) await db.close().catch(() => undefined);
    await forward?.close().catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined);
    throw error;
  }
}
