// One host's tracing: its own tracer provider (so several hosts in one process — the tests — keep their spans
// and service names apart), the server-span concern for its call pipeline, and the tracer its ports and
// database use. Only the context manager and the propagator are process-wide by nature; they are registered
// once, the first time any host turns tracing on.
import { context, propagation, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { ProcessTier } from "../module.js";
import type { Concern } from "../pipeline/concern.js";
import { batchOptionsFromEnv, defaultServiceName, exportersFromEnv, samplerFromEnv } from "./env.js";
import { createTracingConcern } from "./server-span.js";

export interface Tracing {
  tracer: Tracer;
  /** The server span of every call; outermost in the pipeline, so every other concern runs inside it. */
  concern: Concern;
  /** Exports what is buffered and stops; the host calls it after it has drained. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  tiers: readonly ProcessTier[];
  /** Where spans go; tests pass an in-memory one. Default: the exporters the environment names. */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

const INSTRUMENTATION = "polity";

let registered = false;
/** The global context manager and W3C propagator, once per process (the API refuses a second registration). */
export function registerTracingGlobals(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** Tracing as the OTEL_* environment asks for it, or undefined when it asks for none (the default). */
export function createTracingFromEnv(tiers: readonly ProcessTier[], env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const exporters = exportersFromEnv(env);
  if (exporters.length === 0) return undefined;
  const batch = batchOptionsFromEnv(env);
  const spanProcessors = exporters.map((name) => new BatchSpanProcessor({ ...batch, exporter: name === "otlp" ? new OTLPTraceExporter() : new ConsoleSpanExporter() }));
  return createTracing({ tiers, spanProcessors, env });
}

export function createTracing({ tiers, spanProcessors = [], env = process.env }: TracingOptions): Tracing {
  registerTracingGlobals();
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) override the tier's default name.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName(tiers) }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({ resource, sampler: samplerFromEnv(env), spanProcessors });
  const tracer = provider.getTracer(INSTRUMENTATION);
  return {
    tracer,
    concern: createTracingConcern(tracer),
    // Spans that cannot be delivered (collector down, export limit) are lost, but never fail the host's stop.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
