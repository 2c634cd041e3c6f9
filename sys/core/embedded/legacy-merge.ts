// A data directory from before one cluster held every tier has a cluster per tier (./sys, ./mod). At its first
// open it is merged: a copy of the sys cluster becomes the new one, and the mod cluster's schemas are copied in
// with pg_dump, then checked table by table. Only a complete, checked copy is renamed into place, so a crash
// midway leaves the old clusters as they were and the next start merges again. The old clusters are then kept
// aside, untouched, for the operator to delete.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgDump } from "@electric-sql/pglite-tools/pg_dump";
import type { Logger } from "pino";
import { ConfigError } from "../config.js";
import { type DataDirLock, lockDataDir } from "../data-dir-lock.js";
import { CLUSTER_DIR, legacyClusters } from "./layout.js";
import { pgliteOptions } from "./pglite-options.js";

/** Merges the per-tier clusters under `root` into `root/pgdata`; the caller holds the new cluster's lock. */
export async function mergeLegacyClusters(root: string, logger: Logger): Promise<void> {
  const legacy = legacyClusters(root);
  const target = join(root, CLUSTER_DIR);
  const staging = `${target}.merging`;
  const started = Date.now();
  // An older polityd still serving from the per-tier clusters must not have them copied under it.
  const locks: DataDirLock[] = [];
  try {
    for (const cluster of legacy) locks.push(lockDataDir(cluster.dir));
    logger.info({ clusters: legacy.map((c) => c.dir), into: target }, "merging the per-tier embedded clusters into one");
    rmSync(staging, { recursive: true, force: true });
    const [base, ...others] = legacy;
    cpSync(base!.dir, staging, { recursive: true });
    if (others.length > 0) {
      const merged = await PGlite.create(staging, pgliteOptions());
      try {
        for (const other of others) await copySchemas(other.dir, merged);
      } finally {
        await merged.close();
      }
    }
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    for (const lock of locks) lock.release();
  }
  const kept = keptDir(root);
  mkdirSync(kept, { recursive: true, mode: 0o700 });
  for (const cluster of legacy) renameSync(cluster.dir, join(kept, cluster.tier));
  logger.warn({ ms: Date.now() - started, cluster: target, kept },
    `merged the per-tier embedded clusters into ${target}; the old ones are kept in ${kept}: delete it once this server works`);
}

/** Copies every schema of the cluster at `sourceDir` into `target` and checks that each table has its rows. */
async function copySchemas(sourceDir: string, target: PGlite): Promise<void> {
  const source = await PGlite.create(sourceDir, pgliteOptions());
  try {
    const schemas = await userSchemas(source);
    const clash = (await userSchemas(target)).filter((s) => schemas.includes(s));
    if (clash.length > 0) throw new ConfigError(`cannot merge ${sourceDir}: schema ${clash.join(", ")} is in both clusters`);
    if ((await tableCounts(source, ["public"])).size > 0) throw new ConfigError(`cannot merge ${sourceDir}: it has tables in the public schema`);
    if (schemas.length === 0) return;
    const expected = await tableCounts(source, schemas);
    const dump = await pgDump({ pg: source, args: schemas.map((s) => `--schema=${s}`) });
    await target.exec(await dump.text());
    // The dump cleared the session's search path; the ORM sets its own, but leave the session as found.
    await target.exec("reset search_path");
    const copied = await tableCounts(target, schemas);
    for (const [table, rows] of expected) {
      if (copied.get(table) !== rows) throw new Error(`merging ${sourceDir}: ${table} has ${copied.get(table) ?? "no"} rows after the copy, ${rows} before`);
    }
  } finally {
    await source.close();
  }
}

async function userSchemas(pg: PGlite): Promise<string[]> {
  const { rows } = await pg.query<{ name: string }>(
    `select nspname as name from pg_namespace where nspname not in ('public', 'information_schema') and nspname not like 'pg\\_%' order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Rows of every ordinary and partitioned table in `schemas`, by qualified name. */
async function tableCounts(pg: PGlite, schemas: string[]): Promise<Map<string, number>> {
  const { rows } = await pg.query<{ table: string }>(
    `select format('%I.%I', n.nspname, c.relname) as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1::text[]) and c.relkind in ('r', 'p') order by 1`, [schemas]);
  const counts = new Map<string, number>();
  for (const { table } of rows) {
    const { rows: [row] } = await pg.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    counts.set(table, row!.n);
  }
  return counts;
}

/** A new directory for the old clusters, never one already there. */
function keptDir(root: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  let dir = join(root, `per-tier-clusters-${stamp}`);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `per-tier-clusters-${stamp}-${i}`);
  return dir;
}
