// The durable job queue every module shares: a job is written by `send` inside the caller's open transaction, so
// a rolled-back transaction leaves no job and a committed one always has its job. Workers that die holding a job
// give it back after the configured expiry. Implemented with pg-boss on PostgreSQL and on embedded PGlite.
import type { EntityManager } from "../db.js";

export interface JobOptions {
  /** Not handed to a worker before this time. */
  startAfter?: Date;
  /** At most one queued (not yet active) job per key in a queue; a second send with the same key is dropped. */
  singletonKey?: string;
}

export interface Job<T> {
  id: string;
  data: T;
}

export interface WorkOptions {
  /** Jobs handed to one handler call. */
  batchSize?: number;
  /** Handler calls running at once in this process. */
  concurrency?: number;
}

export interface JobQueue {
  /** Enqueues in the transaction `em` has open (or, outside a transaction, at once). */
  send(em: EntityManager, queue: string, data: object, options?: JobOptions): Promise<void>;
  sendMany(em: EntityManager, queue: string, jobs: Array<{ data: object } & JobOptions>): Promise<void>;
  /**
   * Polls `queue` and runs `handler` with batches; a batch whose handler throws is retried later (every job of it),
   * one that resolves is completed. Returns the function that stops this worker (waiting for running handlers).
   */
  work<T>(queue: string, options: WorkOptions, handler: (jobs: Array<Job<T>>) => Promise<void>): Promise<() => Promise<void>>;
  /** Jobs waiting (created or retry, start time reached or not) and the age of the oldest of them. */
  depth(queue: string): Promise<{ queued: number; oldestAgeSeconds: number }>;
}
