// Where the embedded store keeps its files under the data directory: the cluster (every tier's schema), its lock
// file beside it, and the secrets key file. Before one cluster held every tier, each tier had its own cluster in
// a directory named after it; such a directory is recognised so it can be merged (and backed up) as it is.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Tier } from "../module.js";

export const CLUSTER_DIR = "pgdata";
export const LEGACY_TIERS: Tier[] = ["sys", "mod"];

/** A PostgreSQL data directory: initdb writes PG_VERSION first thing, so a half-made one is not a cluster. */
export function isCluster(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}

/** The per-tier clusters of the old layout present under `root`. */
export function legacyClusters(root: string): Array<{ tier: Tier; dir: string }> {
  return LEGACY_TIERS.map((tier) => ({ tier, dir: join(root, tier) })).filter((c) => isCluster(c.dir));
}
