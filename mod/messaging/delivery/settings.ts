// The sender's knobs. Read from the environment until the shared config grows messaging keys.
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

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}`);
  return value;
}

export function senderSettings(): SenderSettings {
  return {
    attemptsPerProvider: int("POLITY_MESSAGING_ATTEMPTS_PER_PROVIDER", 3, 1, 50),
    sendTimeoutMs: int("POLITY_MESSAGING_SEND_TIMEOUT_MS", 30_000, 100, 600_000),
    maxInlineWaitMs: 2_000,
    pausedRecheckMs: 5_000,
    batchSize: int("POLITY_MESSAGING_SEND_BATCH", 250, 1, 1000),
    concurrency: int("POLITY_MESSAGING_SEND_CONCURRENCY", 4, 1, 64),
  };
}
