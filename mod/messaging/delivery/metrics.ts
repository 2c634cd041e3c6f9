// The sender's Prometheus metrics, on the /metrics of the process that sends. Labelled by provider kind only
// (never org, provider or message ids: a label value per row would grow without bound).
import { Counter, Histogram, type Registry } from "prom-client";
import type { MessagingDeps } from "../deps.js";

export type SendOutcome = "sent" | "transient" | "permanent";

export interface SendMetrics {
  /** One provider call ended (`seconds` is the call alone, without queueing or the database). */
  observeSend(providerKind: string, outcome: SendOutcome, seconds: number): void;
  /** A message reached SENT (or DELIVERED_SERVICE straight away) this long after it was created. */
  observeSent(providerKind: string, secondsSinceCreated: number): void;
  /** A message was reported delivered (DELIVERED_SERVICE or DELIVERED_USER) this long after it was created. */
  observeDelivered(providerKind: string, secondsSinceCreated: number): void;
}

// Sends take milliseconds to seconds; time to SENT spans a queue drain (seconds to hours for a scheduled blast).
const SEND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 21600, 86400];

/** The metrics on `registry` (the host's); a process without one (tests building deps by hand) counts privately. */
export function createSendMetrics(registry: Registry | undefined): SendMetrics {
  const registers = registry ? [registry] : [];
  // A second sender on the same registry (a module restarted in one host) shares the first one's metrics.
  const reuse = <T>(name: string, make: () => T): T => (registry?.getSingleMetric(name) as T | undefined) ?? make();
  const sends = reuse("messaging_sends_total", () => new Counter({
    name: "messaging_sends_total",
    help: "Provider calls by the message sender, by provider kind and outcome (sent, transient or permanent failure).",
    labelNames: ["provider_kind", "outcome"],
    registers,
  }));
  const sendSeconds = reuse("messaging_send_seconds", () => new Histogram({
    name: "messaging_send_seconds",
    help: "Duration of one provider call by the message sender.",
    labelNames: ["provider_kind"],
    buckets: SEND_BUCKETS,
    registers,
  }));
  const toSent = reuse("messaging_time_to_sent_seconds", () => new Histogram({
    name: "messaging_time_to_sent_seconds",
    help: "Time from an outgoing message's creation to its provider accepting it (SENT).",
    labelNames: ["provider_kind"],
    buckets: LATENCY_BUCKETS,
    registers,
  }));
  const toDelivered = reuse("messaging_time_to_delivered_seconds", () => new Histogram({
    name: "messaging_time_to_delivered_seconds",
    help: "Time from an outgoing message's creation to the first report of its delivery (DELIVERED_SERVICE or DELIVERED_USER).",
    labelNames: ["provider_kind"],
    buckets: LATENCY_BUCKETS,
    registers,
  }));
  return {
    observeSend(kind, outcome, seconds) {
      sends.inc({ provider_kind: kind, outcome });
      sendSeconds.observe({ provider_kind: kind }, seconds);
    },
    observeSent(kind, seconds) {
      toSent.observe({ provider_kind: kind }, Math.max(0, seconds));
    },
    observeDelivered(kind, seconds) {
      toDelivered.observe({ provider_kind: kind }, Math.max(0, seconds));
    },
  };
}

const ofDeps = new WeakMap<object, SendMetrics>();

/** The module instance's metrics (the sender and the receipts that move messages to delivered share them). */
export function sendMetricsOf(deps: Pick<MessagingDeps, "metrics">): SendMetrics {
  let metrics = ofDeps.get(deps);
  if (!metrics) ofDeps.set(deps, (metrics = createSendMetrics(deps.metrics)));
  return metrics;
}
