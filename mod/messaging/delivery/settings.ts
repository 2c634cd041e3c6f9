// The sender's knobs: the `messaging*` keys of the config, and two fixed pacing delays.
import type { Config } from "../../../sys/core/config.js";

export interface SenderSettings {
  /** Attempts on one provider for one message (the first one included) before moving down the chain. */
  attemptsPerProvider: number;
  /** A provider's send is aborted (a transient failure) after this long. */
  sendTimeoutMs: number;
  /** A rate-limit wait up to this long is slept in the worker; a longer one re-enqueues the job. */
  maxInlineWaitMs: number;
  /** A paused blast's message looks again after this long. */
  pausedRecheckMs: number;
  /** Jobs a worker takes at once, and handler calls at once per process. */
  batchSize: number;
  concurrency: number;
}

export function senderSettings(config: Pick<Config, "messagingAttemptsPerProvider" | "messagingSendTimeoutMs" | "messagingSendBatch" | "messagingSendConcurrency">): SenderSettings {
  return {
    attemptsPerProvider: config.messagingAttemptsPerProvider,
    sendTimeoutMs: config.messagingSendTimeoutMs,
    maxInlineWaitMs: 2_000,
    pausedRecheckMs: 5_000,
    batchSize: config.messagingSendBatch,
    concurrency: config.messagingSendConcurrency,
  };
}
