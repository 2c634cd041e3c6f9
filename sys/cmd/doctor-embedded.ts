// `polityd doctor` on the embedded database (PGlite under the data directory, used by any tier without a
// database URL): the directory must be writable, and only one process may hold a cluster. Doctor never takes a
// lock from a running polityd: a cluster in use is reported with its holder and not opened; a free one is opened
// just long enough for the reads of doctor-database.ts.
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import pino from "pino";
import type { Config } from "../core/config.js";
import { isLockOwnerAlive } from "../core/data-dir-lock.js";
import { openDatabase } from "../core/db.js";
import { CLUSTER_DIR, isCluster, legacyClusters } from "../core/embedded/layout.js";
import type { Tier } from "../core/module.js";
import { checkTierContents } from "./doctor-database.js";
import { type CheckResult, failed, ok, reasonOf, warn } from "./doctor-report.js";

interface Holder {
  pid: number;
  host: string;
  since: string;
  lockFile: string;
}

export interface EmbeddedState {
  results: CheckResult[];
  /** A live process holding a cluster here: its tiers are not opened. */
  holder?: Holder;
}

export function checkDataDir(config: Config): EmbeddedState {
  const dir = resolve(config.dataDir);
  const results: CheckResult[] = [];
  if (!existsSync(dir)) {
    const parent = nearestExisting(dir);
    results.push(writable(parent)
      ? ok("data directory", `${dir} does not exist yet: polityd creates it at first start (${parent} is writable)`)
      : failed("data directory", `${dir} does not exist and ${parent} is not writable: create it for the server's user`));
    return { results };
  }
  if (!statSync(dir).isDirectory()) return { results: [failed("data directory", `${dir} is not a directory`)] };
  results.push(writable(dir) ? ok("data directory", `${dir} is writable`) : failed("data directory", `${dir} is not writable by this user (uid ${process.getuid?.() ?? "?"})`));
  const holders = lockHolders(dir);
  const live = holders.find(isLockOwnerAlive);
  if (live) {
    results.push(ok("data directory lock", `in use by polityd pid ${live.pid} on ${live.host} since ${live.since} (${live.lockFile}); doctor reads nothing under it`));
  } else if (holders.length) {
    results.push(ok("data directory lock", `free (stale lock of pid ${holders[0].pid}, which is not running: the next start takes it over)`));
  } else {
    results.push(ok("data directory lock", "free: no polityd is using it"));
  }
  return { results, holder: live };
}

export async function checkEmbeddedTier(tier: Tier, known: string[], config: Config, state: EmbeddedState): Promise<CheckResult[]> {
  const name = `${tier} database`;
  const dir = resolve(config.dataDir);
  if (state.holder) {
    return [ok(name, `embedded, in use by pid ${state.holder.pid}: not opened (polityd applies its migrations and makes its keys when it starts)`)];
  }
  if (!existsSync(dir) || !hasCluster(dir)) return [ok(name, `embedded, not created yet: the first start creates it in ${dir}`)];
  if (!writable(dir)) return [failed(name, `embedded in ${dir}, which this user cannot write: not opened`)];
  // Opening an old per-tier layout merges it into one cluster: a change doctor must not make.
  if (!isCluster(join(dir, CLUSTER_DIR)) && legacyClusters(dir).length) {
    return [warn(name, `embedded in ${dir}, in the old layout of one cluster per tier: not opened; polityd merges it into ${CLUSTER_DIR}/ at its next start (polityd backup first, to keep a copy)`)];
  }
  let db;
  try {
    db = await openDatabase({ tier, config, logger: pino({ level: "silent" }), entities: [], migrations: [] });
  } catch (error) {
    return [failed(name, `cannot open the embedded database in ${dir}: ${reasonOf(error)}`)];
  }
  try {
    const connection = db.orm.em.getConnection();
    const query = (sql: string) => connection.execute(sql, [], "all") as Promise<Array<Record<string, unknown>>>;
    return [ok(name, `embedded (PGlite) in ${dir}, opened and closed again`), ...(await checkTierContents(tier, query, known, config, "pglite"))];
  } finally {
    await db.close();
  }
}

// Any PostgreSQL data directory (PG_VERSION inside) right under the data directory, whatever the layout.
function hasCluster(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "PG_VERSION")));
}

function lockHolders(dir: string): Holder[] {
  const holders: Holder[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".lock"))) {
    const lockFile = join(dir, name);
    try {
      const owner = JSON.parse(readFileSync(lockFile, "utf8")) as Partial<Holder>;
      if (typeof owner.pid === "number") holders.push({ pid: owner.pid, host: String(owner.host ?? "an unknown host"), since: String(owner.since ?? "an unknown time"), lockFile });
    } catch {
      // Half-written or not ours: the server itself decides what to do with it.
    }
  }
  return holders;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
