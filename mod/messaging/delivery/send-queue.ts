// The queue of send jobs: one job per message, due at its send time. The job carries only the message id; the
// message row is the truth (a job for a message that is no longer PENDING/SENDING does nothing).
import type { EntityManager } from "../../../sys/core/db.js";
import type { JobQueue } from "../../../sys/core/jobs/job-queue.js";
import type { MessagingDeps } from "../deps.js";

export const SEND_QUEUE = "messaging.send";

export interface SendJob {
  messageId: string;
  /** A rate-limit slot already reserved for this message on this provider (ISO time): no second reservation. */
  slot?: { providerId: string; at: string };
}

/** The job queue, once the composition root gives it to the module (ctx.jobs). */
export function jobsOf(deps: MessagingDeps): JobQueue {
  const jobs = (deps as MessagingDeps & { jobs?: JobQueue }).jobs;
  if (!jobs) throw new Error("messaging needs the job queue (deps.jobs)");
  return jobs;
}

/** Enqueues send jobs in `em`'s transaction; a message already waiting in the queue gets no second job. */
export async function enqueueSends(deps: MessagingDeps, em: EntityManager, sends: Array<{ messageId: string; startAfter?: Date; slot?: SendJob["slot"] }>): Promise<void> {
  await jobsOf(deps).sendMany(em, SEND_QUEUE, sends.map((s) => ({ data: (s.slot ? { messageId: s.messageId, slot: s.slot } : { messageId: s.messageId }) satisfies SendJob, startAfter: s.startAfter, singletonKey: s.messageId })));
}
