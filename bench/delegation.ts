// Benchmark of delegation resolution at scale: a community of 1,000,000 members and 300,000 delegations
// (a fifth on a topic, the rest global; some long chains, some cycles) generated in PostgreSQL, then
// resolveDelegations reading it back. Reports load+resolve time and peak memory.
//   npx tsx bench/delegation.ts [--members N] [--delegations N] [--db URL]
// Creates a throwaway database and drops it. Never run by the test suite.
import { mb, measurePeak } from "./support.js";
import { createHash } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { loadConfig } from "../sys/core/config.js";
import { openDatabase } from "../sys/core/db.js";
import { Delegation } from "../mod/voting/delegation/entities.js";
import { votingMigrations } from "../mod/voting/migrations/index.js";
import { resolveDelegations } from "../mod/voting/delegation/resolve.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MEMBERS = Number(arg("members", "1000000"));
const DELEGATIONS = Number(arg("delegations", "300000"));
const ADMIN = arg("db", process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const COMMUNITY = "00000000-0000-4000-8000-00000000bec1";

// Member i's id, computed identically here and in SQL: md5('m' || i) as a uuid.
const memberId = (i: number) => {
  const h = createHash("md5").update(`m${i}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

async function main(): Promise<void> {
  const name = `polity_bench_delegation_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const db = await openDatabase({
    tier: "mod", config: loadConfig({ env: {} }), logger: pino({ level: "silent" }),
    entities: [Delegation] as never, migrations: votingMigrations, url: url.toString(),
  });
  try {
    await db.migrate();
    let t = performance.now();
    // Generated inside PostgreSQL: delegator 3i → a pseudo-random member; every fifth on topic "parks";
    // the first 1,000 delegators form one long chain.
    await db.em().getConnection().execute(`
      insert into "mod"."delegations" (id, community_id, delegator_id, topic, delegate_id, created_at)
      select gen_random_uuid(), '${COMMUNITY}', md5('m' || (i * 3))::uuid, case when i % 5 = 0 then 'parks' else '' end,
             md5('m' || case when i < 1000 then (i + 1) * 3 else (i * 7919 + 13) % ${MEMBERS} end)::uuid, now()
      from generate_series(0::bigint, ${DELEGATIONS - 1}) as i`);
    await db.em().getConnection().execute(`analyze "mod"."delegations"`);
    const generateMs = performance.now() - t;
    const eligible = Array.from({ length: MEMBERS }, (_, i) => memberId(i));
    const voters = new Set(eligible.filter((_, i) => i % 5 === 1));
    const runs: Array<Record<string, unknown>> = [];
    const peak = await measurePeak(async () => {
      for (const topics of [[], ["parks"]]) {
        t = performance.now();
        const r = await resolveDelegations({ em: db.em(), communityId: COMMUNITY, topics, eligible, voters });
        runs.push({
          topics, ms: Math.round(performance.now() - t), flows: r.flows.length, delegated: r.delegatedWeight, lost: r.lostWeight,
          lostInCycle: r.flows.filter((f) => f.outcome === "lost_in_cycle").length,
        });
      }
    }, 10);
    console.log(JSON.stringify({
      members: MEMBERS, delegations: DELEGATIONS, generateMs: Math.round(generateMs), runs,
      baseRssMb: mb(peak.baseRss), peakRssMb: mb(peak.peakRss), baseHeapMb: mb(peak.baseHeap), peakHeapMb: mb(peak.peakHeap),
      peakHeapAboveBaseMb: mb(peak.peakHeap - peak.baseHeap),
    }, null, 2));
  } finally {
    await db.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

await main();
