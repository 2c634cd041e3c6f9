// The JobQueue on pg-boss. PostgreSQL: pg-boss keeps its own small pool for polling and maintenance, and `send`
// writes through the caller's transaction. PGlite is one session: pg-boss uses the ORM's own PGlite instance, and
// while a caller's transaction holds it every statement pg-boss issues on that caller's behalf (its queue lookups)
// is routed into that transaction, since anything else would wait for the transaction to end — forever.
import { AsyncLocalStorage } from "node:async_hooks";
import { type Db as IDatabase, fromPglite, PgBoss } from "pg-boss";
import type { Logger } from "pino";
import type { Database, EntityManager } from "../db.js";
import type { Job, JobOptions, JobQueue, WorkOptions } from "./job-queue.js";
import { type ExecuteSql, executeSqlIn } from "./sql-executor.js";

export const JOBS_SCHEMA = "pgboss";

export interface JobQueueOptions {
  /**
   * A job whose worker stops heart-beating for this many seconds (a killed process) goes to another worker (at
   * least 10: pg-boss's smallest heartbeat). A live worker keeps its job however long the handler runs, up to a
   * hard limit of 15 minutes or this, whichever is longer.
   */
  expireSeconds?: number;
  /** How often an idle worker polls. */
  pollIntervalMs?: number;
  /** This process expires jobs that dead workers held and runs pg-boss's maintenance (worker processes do). */
  supervise?: boolean;
}

/** The queue plus what its owner (the composition root) drives. */
export interface JobQueueService extends JobQueue {
  /** Installs or migrates pg-boss's schema (under its advisory lock) and starts supervision when asked. */
  start(): Promise<void>;
  /** Stops this process's workers (waiting for their handlers) and pg-boss. */
  stop(): Promise<void>;
  /** Every queue of the database with its depth, for the gauges. */
  depths(): Promise<Array<{ queue: string; queued: number; oldestAgeSeconds: number }>>;
}

type Row = { data: object } & JobOptions;

export function createJobQueue(db: Database, logger: Logger, options: JobQueueOptions = {}): JobQueueService {
  const heartbeatSeconds = Math.max(10, options.expireSeconds ?? 60);
  // Jobs whose heartbeat stopped are only noticed by the monitor pass, so it runs a few times per heartbeat.
  const monitorSeconds = Math.max(1, Math.min(60, Math.floor(heartbeatSeconds / 4)));
  const pollingIntervalSeconds = Math.max(0.5, (options.pollIntervalMs ?? 2000) / 1000);
  const inTransaction = new AsyncLocalStorage<ExecuteSql>();
  const known = new Map<string, Promise<void>>();
  const workers: Array<() => Promise<void>> = [];
  let boss: PgBoss | undefined;

  const queueOptions = { heartbeatSeconds, expireInSeconds: Math.max(900, heartbeatSeconds), retryLimit: 20, retryDelay: 1, retryBackoff: true, retryDelayMax: 300 };

  async function open(): Promise<PgBoss> {
    const common = {
      schema: JOBS_SCHEMA,
      supervise: options.supervise ?? false,
      schedule: false,
      superviseIntervalSeconds: monitorSeconds,
      monitorIntervalSeconds: monitorSeconds,
      registerInstance: false,
    };
    if (db.kind === "postgres") {
      const url = db.orm.config.get("clientUrl") as string;
      return new PgBoss({ ...common, connectionString: url, max: 4, application_name: "polity-jobs" });
    }
    const pglite = await (db.orm.em.getConnection() as unknown as { getNativeClient(): Promise<Parameters<typeof fromPglite>[0]> }).getNativeClient();
    const own = fromPglite(pglite);
    const routed: IDatabase = { ...own, executeSql: (text, values) => (inTransaction.getStore() ?? own.executeSql)(text, values) };
    return new PgBoss({ ...common, db: routed, backend: "pglite" });
  }

  function started(): PgBoss {
    if (!boss) throw new Error("the job queue is not started");
    return boss;
  }

  /** Makes sure `queue` exists; on PGlite inside the caller's transaction (see the header). */
  async function ensureQueue(queue: string, exec: ExecuteSql, em: EntityManager): Promise<void> {
    if (db.kind === "pglite" && em.getTransactionContext()) {
      // One session and one process: no lock needed, and a queue created here rolls back with its caller.
      await exec(`select ${JOBS_SCHEMA}.create_queue($1, $2::jsonb) where not exists (select 1 from ${JOBS_SCHEMA}.queue where name = $1)`, [queue, JSON.stringify({ ...queueOptions, policy: "standard" })]);
      return;
    }
    let ready = known.get(queue);
    if (!ready) {
      ready = (async () => {
        const b = started();
        if (!(await b.getQueue(queue))) await b.createQueue(queue, queueOptions).catch(async (error: unknown) => {
          // Another process created it first.
          if (!(await b.getQueue(queue))) throw error;
        });
      })();
      known.set(queue, ready);
      ready.catch(() => known.delete(queue));
    }
    await ready;
  }

  async function sendMany(em: EntityManager, queue: string, jobs: Row[]): Promise<void> {
    if (jobs.length === 0) return;
    const b = started();
    const exec = executeSqlIn(em);
    await inTransaction.run(exec, async () => {
      await ensureQueue(queue, exec, em);
      const keys = [...new Set(jobs.flatMap((j) => (j.singletonKey ? [j.singletonKey] : [])))];
      let waiting = new Set<string>();
      if (keys.length > 0) {
        // Serialises senders of the same key until they commit, so the check below sees the other's job.
        await exec("select pg_advisory_xact_lock(hashtext($1 || '/' || k)) from unnest($2::text[]) as k order by k", [queue, keys]);
        const { rows } = await exec(`select distinct singleton_key as key from ${JOBS_SCHEMA}.job where name = $1 and singleton_key = any($2::text[]) and state in ('created', 'retry')`, [queue, keys]);
        waiting = new Set(rows.map((r: { key: string }) => r.key));
      }
      const unique = jobs.filter((j) => {
        if (!j.singletonKey) return true;
        if (waiting.has(j.singletonKey)) return false;
        waiting.add(j.singletonKey);
        return true;
      });
      if (unique.length === 0) return;
      await b.insert(queue, unique.map((j) => ({ data: j.data, startAfter: j.startAfter, singletonKey: j.singletonKey })), { db: { executeSql: exec } });
    });
  }

  return {
    async start() {
      boss = await open();
      boss.on("error", (error: unknown) => logger.error({ err: error }, "job queue error"));
      await boss.start();
    },
    async stop() {
      for (const stopWorker of workers.splice(0).reverse()) await stopWorker().catch(() => undefined);
      await boss?.stop({ graceful: true, close: true, timeout: 10_000 });
      boss = undefined;
    },
    async depths() {
      const rows = await db.em().getConnection().execute<Array<{ queue: string; queued: number; age: number | null }>>(
        `select q.name as queue, count(j.id)::int as queued, extract(epoch from now() - min(j.created_on))::float8 as age
         from ${JOBS_SCHEMA}.queue q left join ${JOBS_SCHEMA}.job j on j.name = q.name and j.state in ('created', 'retry')
         group by q.name order by q.name`,
      );
      return rows.map((r) => ({ queue: r.queue, queued: Number(r.queued), oldestAgeSeconds: Math.max(0, Number(r.age ?? 0)) }));
    },

    send: (em, queue, data, jobOptions) => sendMany(em, queue, [{ data, ...jobOptions }]),
    sendMany,

    async work<T>(queue: string, workOptions: WorkOptions, handler: (jobs: Array<Job<T>>) => Promise<void>) {
      const b = started();
      const em = db.em();
      await ensureQueue(queue, executeSqlIn(em), em);
      // A full batch says more is waiting: fetch the next at once instead of sleeping a poll interval (a backlog
      // drained at batchSize per poll interval caps a worker far below what it can send).
      const id = await b.work<T>(queue, { batchSize: workOptions.batchSize ?? 1, localConcurrency: workOptions.concurrency ?? 1, pollingIntervalSeconds, burstWhenBatchFull: true }, async (jobs) => {
        await handler(jobs.map((j) => ({ id: j.id, data: j.data })));
      });
      let stopped = false;
      const stopWorker = async () => {
        if (stopped) return;
        stopped = true;
        await b.offWork(queue, { id, wait: true });
      };
      workers.push(stopWorker);
      return stopWorker;
    },

    async depth(queue) {
      const rows = await db.em().getConnection().execute<Array<{ queued: number; age: number | null }>>(
        `select count(*)::int as queued, extract(epoch from now() - min(created_on))::float8 as age from ${JOBS_SCHEMA}.job where name = ? and state in ('created', 'retry')`,
        [queue],
      );
      return { queued: Number(rows[0]?.queued ?? 0), oldestAgeSeconds: Math.max(0, Number(rows[0]?.age ?? 0)) };
    },
  };
}
