// The embedded database: one PGlite cluster under the data directory holding every tier's schema, as one
// PostgreSQL database does with one DATABASE_URL. Each PGlite is a whole PostgreSQL in WASM (~100 MB resident),
// so a process opens it once however many tiers it runs; the tiers' ORMs share it through the session router.
// One process owns the cluster (the lock beside it); a data directory still laid out one cluster per tier is
// merged into one at its first open.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "pino";
import { ConfigError } from "../config.js";
import { type DataDirLock, lockDataDir } from "../data-dir-lock.js";
import type { Tier } from "../module.js";
import { CLUSTER_DIR, isCluster, legacyClusters } from "./layout.js";
import { mergeLegacyClusters } from "./legacy-merge.js";
import { pgliteOptions } from "./pglite-options.js";
import { releaseInitdbMemory } from "./release-initdb-memory.js";
import { createSessionRouter, type SessionRouter } from "./session-router.js";

export interface EmbeddedCluster {
  pglite: PGlite;
  router: SessionRouter;
  /** Lets go of this tier's use; the last one closes the cluster and releases the lock. */
  release(): Promise<void>;
}

interface Shared {
  pglite: PGlite;
  router: SessionRouter;
  lock: DataDirLock;
}

interface Entry {
  tiers: Set<Tier>;
  opening: Promise<Shared>;
}

const clusters = new Map<string, Entry>();

/** Opens (or joins this process's open) cluster of `dataDir` for `tier`. */
export async function openEmbeddedCluster(dataDir: string, tier: Tier, logger: Logger): Promise<EmbeddedCluster> {
  const root = resolve(dataDir);
  let entry = clusters.get(root);
  if (entry?.tiers.has(tier)) throw new ConfigError(`the ${tier} tier of ${join(root, CLUSTER_DIR)} is already open in this process`);
  if (!entry) {
    entry = { tiers: new Set(), opening: openShared(root, logger) };
    clusters.set(root, entry);
    const opened = entry;
    opened.opening.catch(() => clusters.get(root) === opened && clusters.delete(root));
  }
  entry.tiers.add(tier);
  let shared: Shared;
  try {
    shared = await entry.opening;
  } catch (error) {
    entry.tiers.delete(tier);
    throw error;
  }
  let released = false;
  const owner = entry;
  return {
    pglite: shared.pglite,
    router: shared.router,
    async release() {
      if (released) return;
      released = true;
      owner.tiers.delete(tier);
      if (owner.tiers.size > 0) return;
      clusters.delete(root);
      try {
        await shared.pglite.close();
      } finally {
        shared.lock.release();
      }
    },
  };
}

async function openShared(root: string, logger: Logger): Promise<Shared> {
  const dir = join(root, CLUSTER_DIR);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Before PGlite touches the files: a second process on the same cluster would corrupt it.
  const lock = lockDataDir(dir);
  try {
    const legacy = legacyClusters(root);
    // A cluster made now (by initdb, or by a merge that ran initdb for its staging copy).
    const created = !isCluster(dir);
    if (created && legacy.length > 0) await mergeLegacyClusters(root, logger);
    else if (legacy.length > 0) logger.warn({ unused: legacy.map((c) => c.dir), cluster: dir }, "per-tier clusters from an older layout are not used (the data is in the cluster); delete them");
    const pglite = await PGlite.create(dir, pgliteOptions());
    if (created) releaseInitdbMemory();
    return { pglite, router: createSessionRouter(), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}
