// Backing up and restoring the embedded store: the data directory's cluster(s) and its secrets key file. Both
// need the directory to themselves (its lock): PGlite runs inside the polityd that owns it, so no other process
// can read a consistent copy while it serves. A backup opens each cluster once (a crashed one is recovered, and
// closing writes a shutdown checkpoint) and copies its files. A restore unpacks into a directory beside the data,
// checks every file and opens every cluster before anything of the data directory is touched, then moves the
// restored files in.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { ConfigError } from "../core/config.js";
import { type DataDirLock, lockDataDir } from "../core/data-dir-lock.js";
import { CLUSTER_DIR, isCluster, legacyClusters } from "../core/embedded/layout.js";
import { pgliteOptions } from "../core/embedded/pglite-options.js";
import { SECRETS_KEY_FILE } from "../core/secrets/secrets-key.js";
import { BadBackupError, type Manifest, readArchive, writeArchive } from "./backup-archive.js";

type ClusterInfo = Manifest["clusters"][number];

export interface BackupSummary {
  tiers: string[];
  files: number;
  bytes: number;
}

/** Writes the backup of the embedded store under `root` to `file`. */
export async function backupEmbedded(root: string, file: string, options: { force?: boolean } = {}): Promise<BackupSummary> {
  const target = resolve(file);
  const clusters = isCluster(join(root, CLUSTER_DIR)) ? [CLUSTER_DIR] : legacyClusters(root).map((c) => c.tier as string);
  if (clusters.length === 0) throw new ConfigError(`${root} holds no embedded database to back up`);
  if (existsSync(target) && !options.force) throw new ConfigError(`${file} exists; pass --force to replace it`);
  if (!existsSync(dirname(target))) throw new ConfigError(`${dirname(target)}, where ${file} would go, does not exist`);
  if (clusters.some((c) => !relative(join(root, c), target).startsWith(".."))) throw new ConfigError(`${file} is inside the database it backs up; write it elsewhere`);
  const locks = lockAll(clusters.map((c) => join(root, c)));
  const partial = `${target}.partial-${process.pid}`;
  try {
    const inspected: Array<Awaited<ReturnType<typeof inspectCluster>>> = [];
    for (const dir of clusters) inspected.push(await inspectCluster(join(root, dir)));
    const secretsKey = existsSync(join(root, SECRETS_KEY_FILE));
    rmSync(partial, { force: true });
    const { files, bytes } = await writeArchive(partial, root, {
      polityVersion: polityVersion(),
      createdAt: new Date().toISOString(),
      dataDir: root,
      postgresVersion: inspected[0]!.postgresVersion,
      clusters: clusters.map((dir, i) => ({ dir: dir as ClusterInfo["dir"], tiers: inspected[i]!.tiers })),
      secretsKey,
    }, [...clusters, ...(secretsKey ? [SECRETS_KEY_FILE] : [])]);
    renameSync(partial, target);
    return { tiers: inspected.flatMap((c) => c.tiers.map((t) => t.tier)), files, bytes };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** Restores `file` into `root`; refuses a directory holding anything unless `force`, which replaces it all. */
export async function restoreEmbedded(root: string, file: string, options: { force?: boolean } = {}): Promise<Manifest> {
  if (!existsSync(file)) throw new ConfigError(`${file} does not exist`);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new ConfigError(`${root} is not a directory`);
  const created = !existsSync(root);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const present = readdirSync(root).filter((name) => !name.endsWith(".lock"));
  if (present.length > 0 && !options.force) {
    if (created) rmdirSync(root);
    throw new ConfigError(`${root} is not empty (it holds ${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""}); ` +
      "restore into an empty directory, or pass --force to replace what it holds");
  }
  let locks: DataDirLock[] = [];
  const staging = join(root, `.restore-${process.pid}`);
  try {
    locks = lockAll([join(root, CLUSTER_DIR), ...legacyClusters(root).map((c) => c.dir)]);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    const manifest = await readArchive(file, staging);
    for (const cluster of manifest.clusters) await checkRestoredCluster(join(staging, cluster.dir), cluster, manifest);
    // Only now is the data directory touched: what it held goes aside, the restored files move in.
    const aside = join(root, `.replaced-${process.pid}`);
    if (present.length > 0) mkdirSync(aside, { mode: 0o700 });
    for (const name of present) renameSync(join(root, name), join(aside, name));
    for (const name of readdirSync(staging)) renameSync(join(staging, name), join(root, name));
    rmSync(aside, { recursive: true, force: true });
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    for (const lock of locks) lock.release();
    if (created && readdirSync(root).length === 0) rmdirSync(root);
  }
}

async function checkRestoredCluster(dir: string, expected: ClusterInfo, manifest: Manifest): Promise<void> {
  if (!isCluster(dir)) throw new BadBackupError(`its ${expected.dir} is not a database cluster`);
  let found: Awaited<ReturnType<typeof inspectCluster>>;
  try {
    found = await inspectCluster(dir);
  } catch (error) {
    throw new BadBackupError(`its ${expected.dir} cluster (PostgreSQL ${manifest.postgresVersion}) does not open here: ${(error as Error).message}`);
  }
  if (JSON.stringify(found.tiers) !== JSON.stringify(expected.tiers)) {
    throw new BadBackupError(`its ${expected.dir} cluster holds ${describe(found.tiers)}, not the ${describe(expected.tiers)} its manifest lists`);
  }
}

/** What a cluster holds: PostgreSQL's version and, for each tier schema in it, its migrations. */
async function inspectCluster(dir: string): Promise<{ postgresVersion: string; tiers: ClusterInfo["tiers"] }> {
  const pg = await PGlite.create(dir, pgliteOptions());
  try {
    const { rows: [version] } = await pg.query<{ server_version: string }>("show server_version");
    const tiers: ClusterInfo["tiers"] = [];
    for (const tier of ["sys", "mod"] as const) {
      const { rows: [table] } = await pg.query<{ name: string | null }>("select to_regclass($1)::text as name", [`"${tier}"."migrations"`]);
      if (!table?.name) continue;
      const { rows: [row] } = await pg.query<{ n: number; last: string | null }>(`select count(*)::int as n, max(name) as last from "${tier}"."migrations"`);
      tiers.push({ tier, migrations: row!.n, lastMigration: row!.last });
    }
    return { postgresVersion: version!.server_version, tiers };
  } finally {
    await pg.close();
  }
}

function lockAll(dirs: string[]): DataDirLock[] {
  const locks: DataDirLock[] = [];
  try {
    for (const dir of dirs) locks.push(lockDataDir(dir));
    return locks;
  } catch (error) {
    for (const lock of locks) lock.release();
    throw error;
  }
}

const describe = (tiers: ClusterInfo["tiers"]) => tiers.map((t) => `${t.tier} (${t.migrations} migrations)`).join(" and ") || "no tier";

/** The version in the repository's package.json: the nearest one named polity (a build writes its own beside it). */
function polityVersion(): string {
  for (let dir = import.meta.dirname, parent = dirname(dir); dir !== parent; dir = parent, parent = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "polity" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json here, or not JSON: look further up.
    }
  }
  return "unknown";
}
