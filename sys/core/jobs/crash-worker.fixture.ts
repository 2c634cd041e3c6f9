// A worker process for the queue's crash test: takes a job from JOBS_QUEUE, prints `HOLDING <data.n>` and never
// finishes it, so the test can kill it with SIGKILL while it holds the job.
import pino from "pino";
import { loadConfig } from "../config.js";
import { openDatabase } from "../db.js";
import { createJobQueue } from "./pg-boss-queue.js";

const config = loadConfig({ env: { ...process.env, POLITY_PORT: "0" } });
const logger = pino({ level: "warn" });
const db = await openDatabase({ tier: "mod", config, logger, entities: [], migrations: [] });
const jobs = createJobQueue(db, logger, { expireSeconds: config.jobExpireSeconds, pollIntervalMs: 500, supervise: false });
await jobs.start();
await jobs.work<{ n: number }>(process.env.JOBS_QUEUE!, { batchSize: 1 }, async ([job]) => {
  process.stdout.write(`HOLDING ${job!.data.n}\n`);
  await new Promise(() => undefined);
});
process.stdout.write("READY\n");
