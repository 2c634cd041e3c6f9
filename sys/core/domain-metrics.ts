// What Polity does, as Prometheus metrics beside the per-call ones (metrics.ts): ballots, open polls, governance
// deliveries and incoming webhooks, authorization decisions and the decision cache. Each is recorded where its
// event happens, on the host's registry, and created on first use, so a process shows only what it does. Labels
// take values from small fixed sets (a poll method, an outcome, a registered plugin name): never an org, user,
// community or poll id, whose values would grow without bound.
import { Counter, Gauge, type Metric, type Registry } from "prom-client";

export type DeliveryOutcome = "delivered" | "retry" | "failed";
export type WebhookOutcome = "accepted" | "invalid" | "unauthorized" | "not_found" | "error";

export interface DomainMetrics {
  /** A ballot was cast or changed (committed). */
  ballotCast(poll: { method: string; secrecy: string }): void;
  /** Reports the open polls per method at each scrape; `read` runs at most once per few seconds. */
  observeOpenPolls(read: () => Promise<Array<{ method: string; open: number }>>): void;
  /** One outgoing governance delivery attempt ended. */
  governanceDelivery(kind: string, outcome: DeliveryOutcome): void;
  /** One incoming webhook was answered; `plugin` must be a registered plugin's name (or "unknown"). */
  webhookReceived(plugin: string, outcome: WebhookOutcome): void;
  /** The guard got the answer to one call's authorization question. */
  authorizationDecision(allowed: boolean, source: "engine" | "cache"): void;
}

const OPEN_POLLS_CACHE_MS = 5000;

/** The metric named `name` on `registry`, created by `make` the first time (a module restarted in one host reuses it). */
function metricOn<T extends Metric>(registry: Registry | undefined, name: string, make: (registers: Registry[]) => T): T {
  return (registry?.getSingleMetric(name) as T | undefined) ?? make(registry ? [registry] : []);
}

const byRegistry = new WeakMap<Registry, DomainMetrics>();
let unregistered: DomainMetrics | undefined;

/** The domain metrics of a host's registry; without one (contexts built by hand in tests) they count privately. */
export function domainMetricsOf(registry: Registry | undefined): DomainMetrics {
  if (!registry) return (unregistered ??= createDomainMetrics(undefined));
  let metrics = byRegistry.get(registry);
  if (!metrics) byRegistry.set(registry, (metrics = createDomainMetrics(registry)));
  return metrics;
}

function createDomainMetrics(registry: Registry | undefined): DomainMetrics {
  const counter = (name: string, help: string, labelNames: string[]) => {
    let made: Counter | undefined;
    return () => (made ??= metricOn(registry, name, (registers) => new Counter({ name, help, labelNames, registers })));
  };
  const ballots = counter("voting_ballots_cast_total", "Ballots cast or changed (committed), by the poll's method and secrecy.", ["method", "secrecy"]);
  const deliveries = counter("governance_deliveries_total", "Outgoing governance deliveries (events and callbacks) by kind and outcome: delivered, retry (will be tried again), failed (given up).", ["kind", "outcome"]);
  const webhooks = counter("governance_webhooks_received_total", "Incoming governance webhooks by plugin and outcome: accepted, invalid, unauthorized (bad signature), not_found, error.", ["plugin", "outcome"]);
  const decisions = counter("authz_decisions_total", "Authorization decisions of calls by the guard, by decision (allow, deny) and source (engine: asked the decision engine or sys; cache: this process's decision cache).", ["decision", "source"]);
  type OpenPolls = Array<{ method: string; open: number }>;
  let readOpenPolls: (() => Promise<OpenPolls>) | undefined;
  let reading: { at: number; rows: Promise<OpenPolls> } | undefined;
  return {
    ballotCast: ({ method, secrecy }) => ballots().inc({ method, secrecy }),
    observeOpenPolls(read) {
      // The latest reader wins: a voting module restarted in one host reads through its new database.
      readOpenPolls = read;
      reading = undefined;
      metricOn(registry, "voting_polls_open", (registers) => new Gauge({
        name: "voting_polls_open",
        help: "Polls open for voting now, by method (read from the database, at most every 5 seconds; every process running voting reports the same figure).",
        labelNames: ["method"],
        registers,
        async collect() {
          if (!readOpenPolls) return;
          if (!reading || Date.now() - reading.at > OPEN_POLLS_CACHE_MS) reading = { at: Date.now(), rows: readOpenPolls() };
          const rows = await reading.rows.catch(() => undefined);
          if (!rows) return; // the database did not answer: keep the last figures rather than fail the scrape
          this.reset();
          for (const { method, open } of rows) this.set({ method }, open);
        },
      }));
    },
    governanceDelivery: (kind, outcome) => deliveries().inc({ kind, outcome }),
    webhookReceived: (plugin, outcome) => webhooks().inc({ plugin, outcome }),
    authorizationDecision: (allowed, source) => decisions().inc({ decision: allowed ? "allow" : "deny", source }),
  };
}

export interface DecisionCacheMetrics {
  hit(): void;
  miss(): void;
  /** Registered by the host on its registry (the port is built before the host has one). */
  metrics: Metric[];
}

/** The hit and miss counters of an authorization port's decision cache; the hit ratio is a PromQL expression. */
export function createDecisionCacheMetrics(): DecisionCacheMetrics {
  const hits = new Counter({ name: "authz_decision_cache_hits_total", help: "Authorization questions answered from this process's decision cache.", registers: [] });
  const misses = new Counter({ name: "authz_decision_cache_misses_total", help: "Authorization questions this process's decision cache could not answer (asked sys).", registers: [] });
  return { hit: () => hits.inc(), miss: () => misses.inc(), metrics: [hits, misses] };
}
