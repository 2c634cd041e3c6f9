// A data directory from before one cluster held every tier (./sys holding the sys schema and pg_trgm, ./mod
// holding mod and the job queue) is merged at its first open: every table keeps its rows, the server reads the
// same polls, ballots, results and delegation, the old clusters are kept aside, and the next start does not
// merge again. An older polityd still holding a tier's cluster is refused with nothing changed; a backup of the
// old layout restores to it, and that merges too. The old layout is made by splitting a one-cluster directory.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedCluster } from "../../sys/core/embedded/cluster.js";
import { pgliteOptions } from "../../sys/core/embedded/pglite-options.js";
import { readVotes, runPolityd, stageVotes, useServers } from "./embedded-stage.js";

const work = mkdtempSync(join(tmpdir(), "polity-layout-"));
// Registered first, so it runs after the servers have stopped.
afterAll(() => rmSync(work, { recursive: true, force: true }));
const { start, stop } = useServers();

async function withCluster<T>(dir: string, work: (pg: PGlite) => Promise<T>): Promise<T> {
  const pg = await PGlite.create(dir, pgliteOptions());
  try {
    return await work(pg);
  } finally {
    await pg.close();
  }
}

/** Every table of the cluster's schemas with its row count, and its extensions. */
async function contents(pg: PGlite) {
  const { rows: tables } = await pg.query<{ name: string }>(`select format('%I.%I', n.nspname, c.relname) as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('sys', 'mod', 'pgboss') and c.relkind in ('r', 'p') order by 1`);
  const rows: Record<string, number> = {};
  for (const { name } of tables) rows[name] = (await pg.query<{ n: number }>(`select count(*)::int as n from ${name}`)).rows[0]!.n;
  const { rows: extensions } = await pg.query<{ extname: string }>("select extname from pg_extension order by 1");
  return { rows, extensions: extensions.map((e) => e.extname) };
}

/** The old layout of `pgdata`'s contents under `root`: a sys cluster and a mod cluster, each with its tier only. */
async function splitIntoTiers(pgdata: string, root: string): Promise<void> {
  cpSync(pgdata, join(root, "sys"), { recursive: true });
  cpSync(pgdata, join(root, "mod"), { recursive: true });
  await withCluster(join(root, "sys"), (pg) => pg.exec("drop schema mod cascade; drop schema pgboss cascade"));
  // pg_trgm lives in the sys schema: the old mod cluster never had it.
  await withCluster(join(root, "mod"), (pg) => pg.exec("drop schema sys cascade"));
}

describe("an embedded data dir laid out one cluster per tier", () => {
  it("is merged into one cluster at first open, with every row, and keeps serving the same votes", async () => {
    const combined = join(work, "combined");
    const server = await start(combined);
    const record = await stageVotes(server);
    const before = await readVotes(server.url, record);
    await stop(server);
    const expected = await withCluster(join(combined, "pgdata"), contents);
    expect(expected.extensions).toContain("pg_trgm");
    expect(Object.keys(expected.rows).some((t) => t.startsWith("pgboss."))).toBe(true);

    const legacy = join(work, "legacy");
    await splitIntoTiers(join(combined, "pgdata"), legacy);
    cpSync(join(combined, "secrets.key"), join(legacy, "secrets.key"));
    expect((await withCluster(join(legacy, "mod"), contents)).extensions).not.toContain("pg_trgm");

    // An older polityd still serving from the sys cluster: refused, nothing touched.
    writeFileSync(join(legacy, "sys.lock"), JSON.stringify({ pid: process.pid, since: new Date().toISOString(), host: hostname() }));
    await expect(openEmbeddedCluster(legacy, "sys", pino({ level: "silent" }))).rejects.toThrow(`in use by polityd pid ${process.pid}`);
    expect(readdirSync(legacy).sort()).toEqual(["mod", "secrets.key", "sys", "sys.lock"]);
    rmSync(join(legacy, "sys.lock"));

    // Backed up as it is, the old layout restores as it was.
    const backup = join(work, "legacy.tar.gz");
    const backedUp = await runPolityd(["backup", backup], legacy);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toContain("(sys, mod;");

    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const cluster = await openEmbeddedCluster(legacy, "sys", logger);
    const merged = await contents(cluster.pglite).finally(() => cluster.release());
    expect(merged).toEqual(expected);
    expect(lines.join("")).toContain("merged the per-tier embedded clusters");
    const kept = readdirSync(legacy).filter((name) => name.startsWith("per-tier-clusters-"));
    expect(kept).toHaveLength(1);
    expect(readdirSync(join(legacy, kept[0]!)).sort()).toEqual(["mod", "sys"]);
    expect(readdirSync(legacy).sort()).toEqual([kept[0], "pgdata", "secrets.key"].sort());

    const after = await start(legacy);
    expect(await readVotes(after.url, record)).toEqual(before);
    expect(after.logs.join("")).not.toContain("merged the per-tier");
    await stop(after);

    const restored = join(work, "restored");
    const run = await runPolityd(["restore", backup], restored);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(restored).sort()).toEqual(["mod", "secrets.key", "sys"]);
    const fromBackup = await start(restored);
    expect(fromBackup.logs.join("")).toContain("merged the per-tier embedded clusters");
    expect(await readVotes(fromBackup.url, record)).toEqual(before);
    expect(existsSync(join(restored, "sys"))).toBe(false);
    await stop(fromBackup);
  }, 300_000);
});
