// `npm run bench:startup`: how long polityd takes to start (spawn until /readyz answers 200) and how much memory it
// holds once started and after an idle pause, on the embedded database (a fresh data directory, then a second
// start on it) and on PostgreSQL (a fresh database, then a second start), compiled (plain node on the build) and
// through the tsx loader (as bin/polityd runs the sources). Baseline, measured in the same rounds: a bare
// `node -e` HTTP server. See bench/README.md.
//
//   --backend pglite|postgres|both   (default both)      --mode compiled|tsx|both   (default both)
//   --rounds N                        (default 3)         --idle SECONDS             (default 10)
//   --db URL    PostgreSQL admin URL (default BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
//   --dist      run the existing dist/ (npm run build) instead of compiling a fresh copy
//   --env K=V   extra environment for polityd (repeatable), e.g. --env POLITY_TIMESPACE_AUTO_LOAD=false
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildCompiled, projectNode } from "../test/support/compiled.js";
import { createTestDatabase } from "../test/support/postgres.js";
import { repoRoot } from "../test/support/server.js";
import { freePort, type Launch, measureStart, type StartMeasurement } from "./startup-process.js";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "both" },
    mode: { type: "string", default: "both" },
    rounds: { type: "string", default: "3" },
    idle: { type: "string", default: "10" },
    db: { type: "string" },
    dist: { type: "boolean", default: false },
    env: { type: "string", multiple: true, default: [] },
  },
});
const pick = <T extends string>(value: string, all: T[]): T[] => (value === "both" ? all : all.filter((v) => v === value));
const backends = pick(values.backend!, ["pglite", "postgres"]);
const modes = pick(values.mode!, ["compiled", "tsx"]);
const rounds = Number(values.rounds);
const idleMs = Number(values.idle) * 1000;
if (!backends.length || !modes.length || !(rounds >= 1) || !(idleMs >= 0)) {
  console.error("usage: npm run bench:startup -- [--backend pglite|postgres|both] [--mode compiled|tsx|both] [--rounds N] [--idle SECONDS] [--db URL] [--dist] [--env K=V]");
  process.exit(2);
}
if (values.db) process.env.POLITY_TEST_PG = values.db;
else if (process.env.BENCH_DATABASE_URL) process.env.POLITY_TEST_PG = process.env.BENCH_DATABASE_URL;
const extraEnv = Object.fromEntries(values.env!.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));

const build = modes.includes("compiled") && !values.dist ? await buildCompiled("polity-bench-startup") : undefined;
if (modes.includes("compiled") && values.dist && !existsSync(join(repoRoot, "dist", "sys", "cmd", "polityd.bundle.js"))) {
  console.error("--dist: dist/sys/cmd/polityd.bundle.js is missing; run `npm run build` first");
  process.exit(2);
}
// The launchers themselves, so the flags they pick (the small heap on the embedded database) are measured too.
const entries: Record<string, string[]> = {
  compiled: build?.polityd ?? [join(repoRoot, "bin", "polityd-prod")],
  tsx: [join(repoRoot, "bin", "polityd")],
};

type Row = StartMeasurement & { round: number; scenario: string };
const rows: Row[] = [];

async function baseline(round: number): Promise<void> {
  const port = await freePort();
  const script = `require("node:http").createServer((q, r) => r.end("ok")).listen(${port}, "127.0.0.1")`;
  rows.push({ round, scenario: "baseline: node -e http server", ...(await measureStart({ command: [projectNode, "-e", script], env: {}, cwd: repoRoot, healthUrl: `http://127.0.0.1:${port}/` }, idleMs)) });
}

async function polityd(round: number, mode: string, backend: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-bench-startup-"));
  const database = backend === "postgres" ? await createTestDatabase("bench_startup") : undefined;
  try {
    for (const state of ["fresh", "existing"]) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const launch: Launch = {
        command: entries[mode],
        cwd: repoRoot,
        healthUrl: `http://127.0.0.1:${adminPort}/readyz`,
        env: {
          POLITY_HOST: "127.0.0.1", POLITY_PORT: String(port), POLITY_ADMIN_HOST: "127.0.0.1", POLITY_ADMIN_PORT: String(adminPort),
          POLITY_DATA_DIR: dataDir, DATABASE_URL: database?.url ?? "", SYS_DATABASE_URL: "", MOD_DATABASE_URL: "", ...extraEnv,
        },
      };
      const where = backend === "pglite" ? (state === "fresh" ? "PGlite, fresh data dir" : "PGlite, existing data dir") : state === "fresh" ? "PostgreSQL, fresh database" : "PostgreSQL, migrated database";
      rows.push({ round, scenario: `polityd ${mode}, ${where}`, ...(await measureStart(launch, idleMs)) });
    }
  } finally {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const groups = modes.flatMap((mode) => backends.map((backend) => ({ mode, backend })));
console.log(`startup bench: ${rounds} round(s), idle ${idleMs / 1000} s, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`);
try {
  for (let round = 1; round <= rounds; round++) {
    await baseline(round);
    // A different group first each round, so that warming the page cache does not always favour the same one.
    for (let i = 0; i < groups.length; i++) {
      const { mode, backend } = groups[(i + round - 1) % groups.length];
      await polityd(round, mode, backend);
    }
    console.log(`round ${round} done`);
  }
} finally {
  build?.remove();
}

const base = rows.filter((r) => r.scenario.startsWith("baseline"));
const baseStart = median(base.map((r) => r.startMs));
const baseRss = median(base.map((r) => r.rssIdleMb));
const scenarios = [...new Set(rows.map((r) => r.scenario))];
const table = scenarios.map((scenario) => {
  const mine = rows.filter((r) => r.scenario === scenario);
  const start = median(mine.map((r) => r.startMs));
  const idle = median(mine.map((r) => r.rssIdleMb));
  return {
    scenario,
    "start ms": Math.round(start),
    "start / baseline": (start / baseStart).toFixed(1),
    "RSS ready MiB": Math.round(median(mine.map((r) => r.rssReadyMb))),
    [`RSS idle ${idleMs / 1000}s MiB`]: Math.round(idle),
    "RSS / baseline": (idle / baseRss).toFixed(1),
  };
});
console.table(rows.map((r) => ({ round: r.round, scenario: r.scenario, "start ms": Math.round(r.startMs), "RSS ready MiB": Math.round(r.rssReadyMb), "RSS idle MiB": Math.round(r.rssIdleMb) })));
console.log(`\nmedians of ${rounds} round(s):\n`);
const headers = Object.keys(table[0]);
console.log(`| ${headers.join(" | ")} |\n| --- |${" ---: |".repeat(headers.length - 1)}`);
for (const row of table) console.log(`| ${Object.values(row).join(" | ")} |`);
mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
const file = join(repoRoot, "bench", "results", `startup-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ rounds, idleMs, backends, modes, extraEnv, medians: table, runs: rows }, null, 2));
console.log(`\nwritten to ${file}`);
