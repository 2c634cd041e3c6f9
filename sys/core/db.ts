// One database per tier: PostgreSQL when a URL is configured, else the embedded PGlite cluster under the data
// directory (one cluster for every tier this process runs); the same SQL dialect and the same migrations either
// way. Each tier lives in its own schema ("sys" or "mod") with its own migrations table, and on PostgreSQL
// migrations run under an advisory lock so replicas that start together are safe.
import { join, resolve } from "node:path";
import { MikroORM, type EntitySchema, type MigrationObject } from "@mikro-orm/core";
import { Migrator } from "@mikro-orm/migrations";
import { PgliteDriver } from "@mikro-orm/pglite";
import { PostgreSqlDriver } from "@mikro-orm/postgresql";
import type { SqlEntityManager } from "@mikro-orm/sql";
import pg from "pg";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { type Config, databaseUrlFor } from "./config.js";
import { type EmbeddedCluster, openEmbeddedCluster } from "./embedded/cluster.js";
import { CLUSTER_DIR } from "./embedded/layout.js";
import type { Tier } from "./module.js";
import { traceDatabase } from "./tracing/db-spans.js";

export type EntityManager = SqlEntityManager;

export interface Database {
  tier: Tier;
  kind: "postgres" | "pglite";
  orm: MikroORM;
  /** A fresh EntityManager: one per RPC, never shared between calls. */
  em(): EntityManager;
  /** Applies pending migrations under the tier's advisory lock; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  tier: Tier;
  config: Config;
  logger: Logger;
  entities: EntitySchema[];
  migrations: MigrationObject[];
  /** Overrides the configured URL (tests). */
  url?: string;
  /** When tracing is on: a span per query. */
  tracer?: Tracer;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { tier, config } = options;
  const url = options.url ?? databaseUrlFor(config, tier);
  const migrations = [...options.migrations].sort((a, b) => a.name.localeCompare(b.name));
  const common = {
    entities: options.entities,
    schema: tier,
    // Each tier's ORM needs its own name in MikroORM's async-local contexts: with the shared default name a sys
    // read made inside a mod transaction would run on the mod transaction's connection.
    contextName: tier,
    extensions: [Migrator] as Array<typeof Migrator>,
    migrations: { migrationsList: migrations, schema: tier, tableName: "migrations", snapshot: false, silent: true, transactional: true, allOrNothing: true },
    discovery: { warnWhenNoEntities: false },
    debug: false,
    allowGlobalContext: false,
  };
  let orm: MikroORM;
  let cluster: EmbeddedCluster | undefined;
  if (url) {
    orm = await MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: url,
      pool: { min: 1, max: 10 },
      driverOptions: { statement_timeout: config.statementTimeoutMs || undefined, application_name: `polity-${tier}` },
    });
  } else {
    const embedded = (cluster = await openEmbeddedCluster(config.dataDir, tier, options.logger));
    try {
      // The cluster is shared with the other tiers of this process: the ORM uses it and leaves closing it to us.
      orm = await MikroORM.init({ ...common, driver: PgliteDriver, dbName: "postgres", driverOptions: { pglite: () => embedded.pglite } });
      embedded.router.attach(orm, tier);
    } catch (error) {
      await embedded.release();
      throw error;
    }
  }
  if (options.tracer) await traceDatabase(orm, options.tracer, tier, url ? "postgres" : "pglite");
  const db: Database = {
    tier,
    kind: url ? "postgres" : "pglite",
    orm,
    em: () => orm.em.fork() as EntityManager,
    async migrate() {
      await orm.em.getConnection().execute(`create schema if not exists "${tier}"`);
      const run = async () => (await orm.migrator.up()).map((m) => m.name);
      const applied = url ? await withAdvisoryLock(url, `polity:${tier}:migrations`, run) : await run();
      if (applied.length > 0) options.logger.info({ tier, applied }, "migrations applied");
      return applied;
    },
    close: () => orm.close(true).finally(() => cluster?.release()),
  };
  return db;
}

/** Holds a session-level advisory lock on a dedicated connection while `work` runs. */
async function withAdvisoryLock<T>(url: string, name: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "polity-migrate" });
  // A dropped connection surfaces through the pending query; without a listener it would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [name]);
    try {
      return await work();
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [name]);
    }
  } finally {
    await client.end();
  }
}

/** The embedded cluster's directory (every tier's schema). */
export function embeddedClusterDirOf(config: Config): string {
  return join(resolve(config.dataDir), CLUSTER_DIR);
}
