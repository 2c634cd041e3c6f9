// Tallying 1,000,000 ballots read from PostgreSQL with the server's own close path: the voting module's
// migrations create the real tables, ballots (ranked over 10 options: a few hundred Zipf-weighted dominant
// orderings, often truncated, plus ~10 % noise) go into the real `ballots` table with batched multi-row inserts
// (unnest of arrays, 20,000 rows a statement), and the eligibility snapshot into `eligible_voters`. Then
// `computeResults` (mod/voting/results/compute.ts — what ClosePoll runs: read eligible + voter ids, resolve delegation,
// read the ballots grouped by choice in PostgreSQL through a cursor, tally, build and hash the PollResults) is
// timed for Schulze and IRV, beside the per-ballot reference path (`computeResultsPerBallot`, every ballot read
// as a row — what the server did before) and the reads alone; the two paths' result hashes must agree.
//   npm run bench:tally-pg -- [--ballots 1000000] [--options 10] [--db postgres://…/postgres]
// Creates a throwaway database and drops it. Never run by the test suite.
import { mb, measurePeak, seededRandom } from "./support.js";
import { parseArgs } from "node:util";
import pg from "pg";
import pino from "pino";
import { loadConfig } from "../sys/core/config.js";
import { openDatabase } from "../sys/core/db.js";
import { createVotingModule } from "../mod/voting/module.js";
const votingModule = createVotingModule();
import { PollEntity, type PollRow } from "../mod/voting/entities.js";
import { forEachGroupedBallot } from "../mod/voting/results/grouped-ballots.js";
import { ballotsOf, computeResults, computeResultsPerBallot } from "../mod/voting/results/compute.js";

const { values } = parseArgs({ options: {
  ballots: { type: "string", default: "1000000" }, options: { type: "string", default: "10" },
  db: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
} });
const N = Number(values.ballots);
const K = Number(values.options);
const OPTIONS = Array.from({ length: K }, (_, i) => `o${i + 1}`);
const POLL = "00000000-0000-4000-8000-0000000ba110";
const COMMUNITY = "00000000-0000-4000-8000-00000000bec1";
const BATCH = 20_000;


function ballotMaker(seed: number): () => string[][] {
  const rand = seededRandom(seed);
  const shuffled = () => {
    const a = [...OPTIONS];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const dominant = Array.from({ length: 300 }, shuffled);
  const weights = dominant.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let order: string[];
    if (rand() < 0.1) order = shuffled();
    else {
      let r = rand() * total;
      let i = 0;
      while ((r -= weights[i]) > 0 && i < dominant.length - 1) i++;
      order = dominant[i];
    }
    return order.slice(0, 3 + Math.floor(rand() * (K - 2))).map((id) => [id]);
  };
}


async function main(): Promise<void> {
  const name = `polity_bench_tally_pg_${process.pid}`;
  const admin = new pg.Client({ connectionString: values.db });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(values.db!);
  url.pathname = `/${name}`;
  const db = await openDatabase({
    tier: "mod", config: loadConfig({ env: {} }), logger: pino({ level: "silent" }),
    entities: votingModule.entities, migrations: votingModule.migrations, url: url.toString(),
  });
  const raw = new pg.Client({ connectionString: url.toString() });
  await raw.connect();
  try {
    await db.migrate();
    const now = new Date();
    const em = db.em();
    em.create(PollEntity, {
      id: POLL, communityId: COMMUNITY, title: "Bench", body: "", options: OPTIONS.map((id) => ({ id, label: id, description: "" })),
      method: "schulze", topics: [], opensAt: null, closesAt: null, timeZone: "UTC", eligibleRoles: ["member"], quorum: null,
      passThresholdPercent: 0, seats: 1, minSelections: 0, maxSelections: 0, maxScore: 0, resultVisibility: "after_close",
      secrecy: "secret", tieBreakSeed: "bench", allowDelegation: false, state: "open", openedAt: now, closedAt: null, snapshotAt: now,
      eligibleCount: N, createdBy: COMMUNITY, createdAt: now, updatedAt: now, version: 1,
    });
    await em.flush();
    const row = (await db.em().findOneOrFail(PollEntity, { id: POLL })) as PollRow;

    let t = performance.now();
    // Voter i's id is md5('v' || i) as a uuid, computed by PostgreSQL for both tables.
    await raw.query(`insert into mod.eligible_voters (poll_id, account_id, role) select $1, md5('v' || i)::uuid, 'member' from generate_series(0, $2 - 1) as i`, [POLL, N]);
    const next = ballotMaker(42);
    for (let start = 0; start < N; start += BATCH) {
      const count = Math.min(BATCH, N - start);
      const ids = Array.from({ length: count }, (_, k) => start + k);
      const choices = ids.map(() => JSON.stringify({ ranking: next() }));
      await raw.query(
        `insert into mod.ballots (poll_id, voter_id, choice, cast_at, updated_at)
         select $1, md5('v' || i)::uuid, c::jsonb, now(), now() from unnest($2::int[], $3::text[]) as t(i, c)`, [POLL, ids, choices]);
    }
    await raw.query("analyze mod.ballots; analyze mod.eligible_voters");
    const loadMs = performance.now() - t;
    const [{ size }] = (await raw.query<{ size: string }>("select pg_size_pretty(pg_total_relation_size('mod.ballots')) as size")).rows;

    const runs: Array<Record<string, unknown>> = [];
    const measure = async (label: string, fn: () => Promise<unknown>, describe: (r: never) => Record<string, unknown>) => {
      const { result, ms, peakRss, peakHeap, baseHeap } = await measurePeak(fn);
      runs.push({ run: label, ms, peakRssMb: mb(peakRss), peakHeapAboveBaseMb: mb(peakHeap - baseHeap), ...describe(result as never) });
    };
    // The grouped path first: RSS seldom shrinks back, so a run after the per-ballot ones would inherit their peak.
    await measure("read ballots grouped (forEachGroupedBallot)", async () => {
      let groups = 0;
      await forEachGroupedBallot(db.em(), POLL, new Map(), () => groups++);
      return groups;
    }, (groups: number) => ({ groups }));
    const hashes = new Map<string, string>();
    const paths = [["grouped", computeResults], ["per-ballot", computeResultsPerBallot]] as const;
    for (const [path, compute] of paths) {
      if (path === "per-ballot") await measure("read ballots per ballot (ballotsOf)", () => ballotsOf(db.em(), POLL), (r: unknown[]) => ({ rows: r.length }));
      for (const method of ["schulze", "irv"]) {
        await measure(`${path} computeResults ${method} (read + tally + result)`, () => compute(db.em(), { ...row, method } as PollRow, true, now),
          (r: { winners: string[]; rounds: unknown[]; ballots: number; resultHash: string }) => {
            if (hashes.has(method) && hashes.get(method) !== r.resultHash) throw new Error(`${method}: grouped and per-ballot results differ`);
            hashes.set(method, r.resultHash);
            return { ballots: r.ballots, winners: r.winners, rounds: r.rounds.length, resultHash: r.resultHash.slice(0, 12) };
          });
      }
    }
    console.log(JSON.stringify({ ballots: N, options: K, loadMs: Math.round(loadMs), ballotsTable: size, gcExposed: typeof global.gc === "function", runs }, null, 2));
  } finally {
    await raw.end();
    await db.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

await main();
