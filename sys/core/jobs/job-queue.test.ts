// The job queue on real PostgreSQL and on embedded PGlite: a job exists exactly when the transaction that sent it
// committed, batches are handed out whole, and a job held by a worker killed with SIGKILL is given to another
// worker once it expires.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { loadConfig } from "../config.js";
import { type Database, openDatabase } from "../db.js";
import { createMetrics } from "../metrics.js";
import { createJobQueue, type JobQueueService } from "./pg-boss-queue.js";

const logger = pino({ level: "silent" });
const repoRoot = join(import.meta.dirname, "..", "..", "..");
const EXPIRE_SECONDS = 10; // pg-boss's smallest heartbeat

interface Setup {
  env: Record<string, string>;
  done(): Promise<void>;
}

async function postgresSetup(): Promise<Setup> {
  const database: TestDatabase = await createTestDatabase("jobs");
  return { env: { DATABASE_URL: database.url }, done: () => database.drop() };
}

async function pgliteSetup(): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-jobs-"));
  return { env: { POLITY_DATA_DIR: dataDir }, done: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

async function open(env: Record<string, string>, supervise = true) {
  const config = loadConfig({ env: { ...env, POLITY_PORT: "0", POLITY_JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS) } });
  const db = await openDatabase({ tier: "mod", config, logger, entities: [], migrations: [] });
  await db.migrate();
  await db.em().getConnection().execute("create table if not exists mod.things (id int primary key)");
  const jobs = createJobQueue(db, logger, { expireSeconds: EXPIRE_SECONDS, pollIntervalMs: 500, supervise });
  await jobs.start();
  return { db, jobs, close: async () => { await jobs.stop(); await db.close(); } };
}

function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

describe.each([
  ["PostgreSQL", postgresSetup],
  ["PGlite", pgliteSetup],
])("job queue on %s", (_name, makeSetup) => {
  let setup: Setup;
  let db: Database;
  let jobs: JobQueueService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    setup = await makeSetup();
    ({ db, jobs, close } = await open(setup.env));
  });
  afterAll(async () => {
    await close?.();
    await setup?.done();
  });

  it("keeps a job sent in a committed transaction and none from a rolled-back one", async () => {
    await db.em().transactional(async (em) => {
      await em.getConnection().execute("insert into mod.things (id) values (1)", [], "run", em.getTransactionContext());
      await jobs.send(em, "atomic", { thing: 1 });
    });
    await expect(
      db.em().transactional(async (em) => {
        await em.getConnection().execute("insert into mod.things (id) values (2)", [], "run", em.getTransactionContext());
        await jobs.sendMany(em, "atomic", [{ data: { thing: 2 } }, { data: { thing: 3 } }]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const things = await db.em().getConnection().execute<Array<{ id: number }>>("select id from mod.things order by id");
    expect(things.map((t) => t.id)).toEqual([1]);
    expect((await jobs.depth("atomic")).queued).toBe(1);

    const seen: unknown[] = [];
    const stop = await jobs.work<{ thing: number }>("atomic", {}, async (batch) => void seen.push(...batch.map((j) => j.data)));
    await waitFor(() => (seen.length > 0 ? true : undefined), 10_000, "the committed job");
    await stop();
    expect(seen).toEqual([{ thing: 1 }]);
    expect(await jobs.depth("atomic")).toEqual({ queued: 0, oldestAgeSeconds: 0 });
  });

  it("a send on a queue first named inside a rolled-back transaction leaves the queue usable", async () => {
    await expect(
      db.em().transactional(async (em) => {
        await jobs.send(em, "first-in-rollback", { n: 1 });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await db.em().transactional((em) => jobs.send(em, "first-in-rollback", { n: 2 }));
    expect((await jobs.depth("first-in-rollback")).queued).toBe(1);
  });

  it("hands out batches of at most batchSize and completes every job once", async () => {
    await db.em().transactional((em) => jobs.sendMany(em, "batches", Array.from({ length: 12 }, (_, n) => ({ data: { n } }))));
    const depth = await jobs.depth("batches");
    expect(depth.queued).toBe(12);
    expect(depth.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    const sizes: number[] = [];
    const done: number[] = [];
    const stop = await jobs.work<{ n: number }>("batches", { batchSize: 5 }, async (batch) => {
      sizes.push(batch.length);
      done.push(...batch.map((j) => j.data.n));
    });
    await waitFor(() => (done.length >= 12 ? true : undefined), 15_000, "12 jobs");
    await stop();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, n) => n));
    expect((await jobs.depth("batches")).queued).toBe(0);
  });

  it("retries a batch whose handler throws", async () => {
    await db.em().transactional((em) => jobs.send(em, "flaky", { n: 1 }));
    let calls = 0;
    const stop = await jobs.work("flaky", {}, async () => {
      calls += 1;
      if (calls === 1) throw new Error("transient");
    });
    await waitFor(() => (calls >= 2 ? true : undefined), 15_000, "the retry");
    await stop();
    expect((await jobs.depth("flaky")).queued).toBe(0);
  });

  it("adds no job while one with the same singletonKey waits", async () => {
    await db.em().transactional((em) => jobs.sendMany(em, "single", [{ data: { n: 1 }, singletonKey: "k" }, { data: { n: 2 }, singletonKey: "k" }]));
    await db.em().transactional((em) => jobs.send(em, "single", { n: 3 }, { singletonKey: "k" }));
    await db.em().transactional((em) => jobs.send(em, "single", { n: 4 }, { singletonKey: "other" }));
    expect((await jobs.depth("single")).queued).toBe(2);
  });

  it("exports each queue's depth and oldest age as gauges", async () => {
    await db.em().transactional((em) => jobs.send(em, "gauged", { n: 1 }));
    const metrics = createMetrics();
    metrics.observeQueues(jobs);
    const text = await metrics.registry.metrics();
    expect(text).toContain('job_queue_depth{queue="gauged"} 1');
    expect(text).toMatch(/job_queue_oldest_age_seconds\{queue="gauged"\} [0-9.e-]+/);
    expect(text).toContain('job_queue_depth{queue="batches"} 0');
  });

  it("does not hand out a job before its startAfter", async () => {
    await db.em().transactional((em) => jobs.send(em, "later", { n: 1 }, { startAfter: new Date(Date.now() + 3_000) }));
    const at: number[] = [];
    const sent = Date.now();
    const stop = await jobs.work("later", {}, async () => void at.push(Date.now()));
    await waitFor(() => (at.length > 0 ? true : undefined), 15_000, "the delayed job");
    await stop();
    expect(at[0]! - sent).toBeGreaterThanOrEqual(2_500);
  });

  it("leaves a job with its live worker while the handler runs longer than the heartbeat", async () => {
    await db.em().transactional((em) => jobs.send(em, "slow", { n: 1 }));
    let runs = 0;
    let finished = false;
    const handler = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, (EXPIRE_SECONDS + 5) * 1000));
      finished = true;
    };
    const stops = [await jobs.work("slow", {}, handler), await jobs.work("slow", {}, handler)];
    await waitFor(() => (finished ? true : undefined), 40_000, "the slow job");
    await Promise.all(stops.map((stop) => stop()));
    expect(runs).toBe(1);
    expect((await jobs.depth("slow")).queued).toBe(0);
  }, 60_000);

  it("gives a job held by a worker killed with SIGKILL to another worker after it expires", async () => {
    await db.em().transactional((em) => jobs.send(em, "crash", { n: 42 }));
    // PGlite has one process per cluster: the worker takes it over while it runs.
    if (db.kind === "pglite") await close();
    // Node itself with tsx's loader (as bin/polityd runs): the tsx CLI would put a second process between the
    // signal and the worker.
    const node = join(repoRoot, "node_modules", "node", "bin", "node");
    const loader = `file://${join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")}`;
    const child = spawn(node, ["--import", loader, join(import.meta.dirname, "crash-worker.fixture.ts")], {
      cwd: repoRoot,
      env: { ...process.env, ...setup.env, JOBS_QUEUE: "crash", POLITY_JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await waitFor(() => (output.includes("HOLDING 42") ? true : undefined), 60_000, `the child to take the job:\n${output}`);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    if (db.kind === "pglite") ({ db, jobs, close } = await open(setup.env));
    const seen: number[] = [];
    const stop = await jobs.work<{ n: number }>("crash", {}, async ([job]) => void seen.push(job!.data.n));
    await waitFor(() => (seen.length > 0 ? true : undefined), 40_000, "the expired job to come back");
    await stop();
    expect(seen).toEqual([42]);
  });
});
