// `polityd backup FILE` and `polityd restore FILE`: the embedded store (the data directory's database and its
// secrets key) to one file and back. Both refuse, with one line and exit status 2, while a polityd uses the data
// directory: only the process running PGlite could read it consistently, and it offers no way to. On PostgreSQL
// `backup` prints the pg_dump and pg_restore commands instead.
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { type Config, ConfigError, databaseUrlFor } from "../core/config.js";
import { DataDirInUseError } from "../core/data-dir-lock.js";
import { BadBackupError } from "./backup-archive.js";
import { backupEmbedded, restoreEmbedded } from "./backup-embedded.js";
import { postgresBackupAdvice } from "./backup-postgres.js";

type LoadConfig = (options: Record<string, unknown>) => Config;

export function registerBackupCommands(program: Command, loadConfig: LoadConfig): void {
  program
    .command("backup <file>")
    .description("write the embedded database (every tier) and its secrets key to FILE, a .tar.gz; polityd must be stopped (on PostgreSQL: prints the pg_dump commands)")
    .option("--force", "replace FILE if it exists")
    .action((file: string, options: { force?: boolean }, command: Command) => run(loadConfig, command, "backup", async (config) => {
      if (usesPostgres(config)) {
        console.error(postgresBackupAdvice(config, file));
        return 2;
      }
      const root = resolve(config.dataDir);
      const done = await backupEmbedded(root, file, options);
      console.log(`polityd: backed up ${root} (${done.tiers.join(", ") || "no tier"}; ${done.files} files, ${megabytes(done.bytes)} before compression) to ${file}; it holds the secrets key: keep it private`);
      return 0;
    }));

  program
    .command("restore <file>")
    .description("restore a backup FILE into the data directory (empty, or replaced with --force); polityd must be stopped")
    .option("--force", "replace what the data directory holds")
    .action((file: string, options: { force?: boolean }, command: Command) => run(loadConfig, command, "restore", async (config) => {
      if (usesPostgres(config)) {
        console.error("polityd: restore is for the embedded database; this deployment is on PostgreSQL: restore a pg_dump file with pg_restore (polityd backup FILE prints the commands)");
        return 2;
      }
      const root = resolve(config.dataDir);
      const manifest = await restoreEmbedded(root, file, options);
      const tiers = manifest.clusters.flatMap((c) => c.tiers.map((t) => t.tier));
      console.log(`polityd: restored ${file} (made ${manifest.createdAt} by polity ${manifest.polityVersion}; ${tiers.join(", ") || "no tier"}) into ${root}`);
      return 0;
    }));
}

function usesPostgres(config: Config): boolean {
  return Boolean(databaseUrlFor(config, "sys") ?? databaseUrlFor(config, "mod"));
}

/** Runs a command to its exit status: 2 for a refusal (in use, not empty, a bad file, bad config), 1 for a failure. */
async function run(loadConfig: LoadConfig, command: Command, what: string, work: (config: Config) => Promise<number>): Promise<void> {
  let status: number;
  try {
    const config = loadConfig(command.optsWithGlobals());
    status = await work(config);
  } catch (error) {
    status = refusal(error, what) ?? 1;
    // A file system error (no such directory, no space, no permission) says all there is in its message.
    if (status === 1) console.error(`polityd: ${what} failed:`, (error as NodeJS.ErrnoException).syscall ? (error as Error).message : error);
  }
  process.exit(status);
}

function refusal(error: unknown, what: string): number | undefined {
  if (error instanceof DataDirInUseError) {
    const where = error.owner.host === hostname() ? "" : ` on ${error.owner.host}`;
    const or = what === "backup" ? ", or run on PostgreSQL (DATABASE_URL) to back up while serving" : "";
    console.error(`polityd (pid ${error.owner.pid}${where}) is using ${resolve(error.dir, "..")}; stop it first${or}`);
    return 2;
  }
  if (error instanceof BadBackupError) {
    console.error(`polityd: refusing to ${what}: the file is not a usable backup: ${error.message}; nothing was written`);
    return 2;
  }
  if (error instanceof ConfigError) {
    console.error(`polityd: ${error.message}`);
    return 2;
  }
  return undefined;
}

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
