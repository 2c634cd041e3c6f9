// polityd: the Polity server. `polityd [--tiers sys,mod,worker]` serves; `polityd migrate` applies migrations and exits;
// `polityd secrets rotate` re-encrypts stored secrets with the current key; `polityd keys rotate [--withdraw]` replaces
// the token signing key at once.
import { Command, Option } from "commander";
import pino, { type Logger } from "pino";
import { type Config, ConfigError, loadConfig } from "../core/config.js";
import { composeHost, migrateTiers, openTierDatabase, rotateSecrets } from "./compose.js";
import { createSysModules } from "./modules.js";
import type { Database } from "../core/db.js";
import type { PolityModule } from "../core/module.js";
import { loadPlacesCommand } from "../timespace/places/index.js";
import { registerDoctorCommand } from "./doctor.js";
import { registerBackupCommands } from "./backup.js";
import { createSigningKey, keepRetiredMsFor } from "../auth/signing-keys.js";

const program = new Command("polityd")
  .description("Polity server: sys and mod tiers over one Protobuf contract")
  .option("-c, --config <file>", "YAML config file (env POLITY_CONFIG)")
  .option("-p, --port <port>", "port for gRPC, gRPC-Web, Connect and the web GUI (env POLITY_PORT, default 8080)")
  .option("--host <address>", "address to listen on (env POLITY_HOST, default 0.0.0.0)")
  .option("--admin-port <port>", "port of the admin listener: /metrics, /healthz, /readyz (env POLITY_ADMIN_PORT, default 9464; 0 picks a free one)")
  .option("--tiers <tiers>", "tiers to run, comma-separated: sys, mod (APIs and webhooks), worker (background work) (env POLITY_TIERS, default sys,mod,worker)")
  .option("--modules <list>", "mod modules this process serves and runs, comma-separated: disco, voting, governance, contributions, messaging (env POLITY_MODULES, default every module)")
  .option("--sys-url <url>", "where a process without the sys tier reaches sys (env POLITY_SYS_URL)")
  .option("--data-dir <dir>", "embedded database directory when no DATABASE_URL is set (env POLITY_DATA_DIR, default .polity)")
  .addOption(new Option("--log-level <level>", "log level (env LOG_LEVEL)").choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"]))
  .showHelpAfterError();

function configFrom(options: Record<string, unknown>) {
  const { config: file, ...flags } = options;
  return loadConfig({ file: file as string | undefined, flags });
}

function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(`polityd: ${error.message}`);
  else console.error("polityd: failed to start:", error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}

program.action(async (options) => {
  let config;
  try {
    config = configFrom(options);
  } catch (error) {
    fail(error);
  }
  const logger = pino({ level: config.logLevel, base: { service: "polityd" } });
  // A bug reached by one caller (a throwing listener or timer) must not take every other caller down: log it, keep serving.
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  let host;
  try {
    host = await composeHost(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, "failed to start");
    fail(error);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining");
    try {
      await host.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
});

/** A command that loads the config, does one piece of work and exits: non-zero, with the reason, on failure. */
function runOnce(failure: string, work: (config: Config, logger: Logger) => Promise<void>) {
  return async (_options: unknown, command: Command) => {
    let config: Config;
    try {
      config = configFrom(command.optsWithGlobals());
    } catch (error) {
      fail(error);
    }
    const logger = pino({ level: config.logLevel, base: { service: "polityd" } });
    try {
      await work(config, logger);
    } catch (error) {
      logger.fatal({ err: error }, failure);
      fail(error);
    }
  };
}

/** Opens the configured sys database for `work`, and closes it whatever happens. */
async function withSysDatabase<T>(config: Config, logger: Logger, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openTierDatabase("sys", createSysModules() as PolityModule<never>[], config, logger);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

program
  .command("migrate")
  .description("apply pending migrations of the enabled tiers, then exit")
  .action(runOnce("migration failed", async (config, logger) => {
    await migrateTiers(config, logger);
    logger.info("migrations up to date");
  }));

program
  .command("secrets")
  .description("manage the key that encrypts plugin secrets at rest")
  .command("rotate")
  .description("re-encrypt every stored secret with POLITY_SECRETS_KEY (older keys listed in POLITY_SECRETS_PREVIOUS_KEYS), then exit")
  .action(runOnce("secrets rotation failed", async (config, logger) => {
    const resealed = await rotateSecrets(config, logger);
    logger.info({ resealed }, `re-encrypted ${resealed} stored secret(s) with the current key`);
  }));

program
  .command("keys")
  .description("manage the keys that sign access tokens")
  .command("rotate")
  .description("make a new token signing key now, then exit; the old keys keep verifying the tokens they signed until those expire")
  .option("--withdraw", "delete the old keys instead (a key that may have leaked): every token they signed is refused within a minute, and clients get new ones with their refresh tokens")
  .action((options: { withdraw?: boolean }, command: Command) => runOnce("key rotation failed", async (config, logger) => {
    const created = await withSysDatabase(config, logger, (db) =>
      createSigningKey(db, { at: new Date(), keepRetiredMs: keepRetiredMsFor(config.accessTokenTtlSeconds), withdrawOthers: options.withdraw }));
    logger.info(created, options.withdraw
      ? `new signing key ${created.kid}; withdrew ${created.withdrawn.length} key(s): tokens they signed are refused within a minute`
      : `new signing key ${created.kid}; ${created.retired.length} older key(s) verify their tokens until those expire`);
  })(options, command));

program
  .command("timespace")
  .description("reference geography and time")
  .command("load [countries...]")
  .description("load the packaged places (countries, subdivisions, cities) into the sys database, or only COUNTRIES (alpha-2); idempotent, then exit")
  .action((countries: string[], options: unknown, command: Command) => runOnce("loading places failed", async (config, logger) => {
    await withSysDatabase(config, logger, (db) => loadPlacesCommand(db, logger, countries.length ? countries : undefined));
  })(options, command));

registerBackupCommands(program, configFrom);

registerDoctorCommand(program, configFrom);

await program.parseAsync(process.argv);
