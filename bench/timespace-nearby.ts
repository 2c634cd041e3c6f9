// Nearby search over every city: loads the whole packaged dataset into a fresh database (PostgreSQL and PGlite),
// then asks NearbyPlaces' query (50 km, cities, 20 nearest) from a random sample of cities (all of them with
// --all), and a primary-key read of one place as the baseline, both measured in the same run. Never run by tests.
//   npm run bench:nearby -- [--backend postgres|pglite|both] [--sample N] [--all] [--db URL]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { openTierDatabase } from "../sys/cmd/compose.js";
import { createSysModules } from "../sys/cmd/modules.js";
import { loadConfig } from "../sys/core/config.js";
import type { Database } from "../sys/core/db.js";
import type { PolityModule } from "../sys/core/module.js";
import { query } from "../sys/core/sql.js";
import { loadPlaces } from "../sys/timespace/places/index.js";
import { nearbyPlaces } from "../sys/timespace/places/nearby.js";
import { getPlaces } from "../sys/timespace/places/place-reads.js";
import { createTestDatabase } from "../test/support/postgres.js";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const backends = (option("backend") ?? "both") === "both" ? ["postgres", "pglite"] : [option("backend")!];
const sampleSize = Number(option("sample") ?? 2000);
const logger = pino({ level: "warn" });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(label: string, runs: Array<() => Promise<unknown>>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (const run of runs) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const result = { p50: percentile(times, 50), p99: percentile(times, 99) };
  console.log(`  ${label}: ${runs.length} queries, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`);
  return result;
}

async function bench(db: Database, backend: string): Promise<void> {
  console.log(`${backend}:`);
  let started = Date.now();
  const loaded = await loadPlaces(db, {});
  console.log(`  loaded ${loaded.places} places of ${loaded.countries} countries in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const cities = await query<{ id: string; latitude: number; longitude: number }>(db.em(), `select id, latitude, longitude from "sys"."timespace_places" where kind = 'city'`);
  const sample = args.includes("--all") ? cities : Array.from({ length: Math.min(sampleSize, cities.length) }, () => cities[Math.floor(Math.random() * cities.length)]!);
  started = Date.now();
  const baseline = await measure("baseline GetPlaces(one id, primary key)", sample.map((c) => () => getPlaces(db, [c.id], "en")));
  const nearby = await measure("nearby 50 km, cities, 20 nearest", sample.map((c) => () => nearbyPlaces(db, { latitude: Number(c.latitude), longitude: Number(c.longitude) }, { radiusKm: 50, kinds: ["city"], limit: 20, excludeId: c.id, language: "en" })));
  console.log(`  ratio nearby/baseline: p50 ${(nearby.p50 / baseline.p50).toFixed(2)}, p99 ${(nearby.p99 / baseline.p99).toFixed(2)} (${sample.length} of ${cities.length} cities, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

for (const backend of backends) {
  const modules = createSysModules() as PolityModule<never>[];
  if (backend === "postgres") {
    const database = option("db") ? undefined : await createTestDatabase("bench_nearby");
    const db = await openTierDatabase("sys", modules, loadConfig({ env: { DATABASE_URL: option("db") ?? database!.url } }), logger);
    try {
      await bench(db, backend);
    } finally {
      await db.close();
      await database?.drop();
    }
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "polity-bench-nearby-"));
    const db = await openTierDatabase("sys", modules, loadConfig({ env: { POLITY_DATA_DIR: dataDir } }), logger);
    try {
      await bench(db, backend);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
