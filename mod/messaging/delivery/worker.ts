// The sender on the worker tier: takes send jobs in batches and sends each batch with set-based reads and writes
// (send-batch.ts). A batch that cannot be processed (the database away, a bug tripped by one message) is retried
// message by message, so one bad message never holds up its batch-mates: a message that still fails is put back
// in the queue a little later, and the sweep catches any message left without a job.
import { createProviderRateLimiter } from "../rate-limit/provider-rate.js";
import type { MessagingDeps } from "../deps.js";
import { sendMetricsOf } from "./metrics.js";
import { sendBatch, type Sender } from "./send-batch.js";
import { enqueueSends, jobsOf, SEND_QUEUE, type SendJob } from "./send-queue.js";
import { senderSettings } from "./settings.js";
import { startSendSweep } from "./sweep.js";

const REQUEUE_AFTER_ERROR_MS = 10_000;

export async function startSender(deps: MessagingDeps): Promise<() => Promise<void>> {
  const sender: Sender = { deps, settings: senderSettings(deps.config), limiter: createProviderRateLimiter(deps), metrics: sendMetricsOf(deps) };
  const stopWork = await jobsOf(deps).work<SendJob>(SEND_QUEUE, { batchSize: sender.settings.batchSize, concurrency: sender.settings.concurrency }, async (jobs) => {
    const batch = jobs.map((j) => j.data);
    try {
      await sendBatch(sender, batch);
    } catch (error) {
      sender.deps.logger.warn({ err: error, messages: batch.length }, "sending a batch failed; sending its messages one by one");
      await Promise.all(batch.map((job) => sendOne(sender, job)));
    }
  });
  const stopSweep = startSendSweep(deps);
  return async () => {
    await stopWork();
    await stopSweep();
    await sender.limiter.close();
  };
}

async function sendOne(sender: Sender, job: SendJob): Promise<void> {
  try {
    await sendBatch(sender, [job]);
  } catch (error) {
    sender.deps.logger.error({ err: error, messageId: job.messageId }, "sending a message failed; trying again later");
    await sender.deps.db.em().transactional((tx) => enqueueSends(sender.deps, tx as never, [{ messageId: job.messageId, startAfter: new Date(Date.now() + REQUEUE_AFTER_ERROR_MS) }]))
      .catch((e: unknown) => sender.deps.logger.error({ err: e, messageId: job.messageId }, "could not requeue a message; the sweep will"));
  }
}
