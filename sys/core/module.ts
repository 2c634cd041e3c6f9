// A module is an instance made by its factory: it owns its entities, migrations and state, contributes
// services to one tier and registers its hooks with the context it is given. The entry point (sys/cmd) picks
// the modules; the host composes what it is given into one router, one call pipeline and one health.
// Two hosts in one process (as the tests run) get two instances and share nothing.
import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { EntitySchema, MigrationObject } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "./config.js";
import type { Database } from "./db.js";
import type { JobQueue } from "./jobs/job-queue.js";
import type { Keyring } from "./secrets/keyring.js";
import type { HttpRoute } from "./http/route.js";
import type { AuthorizationPort } from "./ports/authorization-port.js";
import type { DirectoryPort } from "./ports/directory-port.js";
import type { IdentityPort } from "./ports/identity-port.js";
import type { TimespacePort } from "./ports/timespace-port.js";

/** A tier that owns a database and modules. */
export type Tier = "sys" | "mod";
/** What a process can run: the database tiers, and `worker` (the mod modules' background work, on the mod database). */
export type ProcessTier = Tier | "worker";

export interface ServiceRegistration {
  desc: DescService;
  // Partial because protobuf-es's ServiceImpl is keyed by every method; the host verifies completeness.
  impl: Partial<ServiceImpl<DescService>>;
}

/** What every module gets from the host of its tier. */
export interface TierContext {
  config: Config;
  logger: Logger;
  db: Database;
  authz: AuthorizationPort;
  /**
   * The server's own base URL (e.g. "http://127.0.0.1:8080"), set by the host; throws until the port listens.
   * Optional only so callers building a context need not supply it; a host-served module always has it.
   */
  selfUrl?: () => string;
  /** The host's Prometheus registry (served on /metrics), set by the host for modules' own metrics. */
  metrics?: Registry;
}

/** What mod modules get: sys reached only through ports. */
export interface ModContext extends TierContext {
  directory: DirectoryPort;
  /** Linked identities (which account a GitHub user is); optional only so contexts built by hand need not set it. */
  identity?: IdentityPort;
  /** The durable job queue on the mod database, one per process, shared by the modules: enqueue anywhere, work in `work`. */
  jobs: JobQueue;
  /** sys's places and time functions; optional only so contexts built by hand need not set it. */
  timespace?: TimespacePort;
}

export interface PolityModule<Ctx extends TierContext = TierContext> {
  id: string;
  tier: Tier;
  // defineEntity schemas; the tier's ORM is built from every enabled module's entities.
  entities: EntitySchema[];
  // This module's own history, named "<timestamp>-<module>-<what>" so tiers can merge them in order.
  migrations: MigrationObject[];
  services(ctx: Ctx): ServiceRegistration[];
  // Plain HTTP routes (webhooks, compatibility APIs), answered on the one port before the RPC router.
  routes?(ctx: Ctx & { selfUrl(): string }): HttpRoute[];
  start?(ctx: Ctx): Promise<void>;
  // Background work (senders, schedulers, sweeps) run by a process of the worker tier, after start.
  work?(ctx: Ctx): Promise<void>;
  // The instance owns what start and services took (timers, pools, subscriptions) and releases it here.
  stop?(): Promise<void>;
  // `polityd secrets rotate`: re-seals every secret this module keeps that an older key sealed; returns how many.
  rotateSecrets?(db: Database, keyring: Keyring): Promise<number>;
}

/** Checks the shape of a module instance; a module file exports a `create…Module()` factory that calls this. */
export function defineModule<Ctx extends TierContext>(module: PolityModule<Ctx>): PolityModule<Ctx> {
  return module;
}

export function service<S extends DescService>(desc: S, impl: ServiceImpl<S>): ServiceRegistration {
  return { desc, impl: impl as Partial<ServiceImpl<DescService>> };
}
