// One host's tracing: its own tracer provider (so several hosts in one process — the tests — keep their spans
// and service names apart), the server-span concern for its call pipeline, and the tracer its ports and
// database use. Only the context manager and the propagator are process-wide by nature; they are registered
// once, the first time any host turns tracing on.
import { context, propagation, type Tracer } from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { lazyModule } from "../lazy-module.js";
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

// The SDK and its exporters are loaded only when tracing is on (most processes never load them).
const contextManagers = lazyModule<typeof import("@opentelemetry/context-async-hooks")>("@opentelemetry/context-async-hooks");
const otelCore = lazyModule<typeof import("@opentelemetry/core")>("@opentelemetry/core");
const otlpExporter = lazyModule<typeof import("@opentelemetry/exporter-trace-otlp-proto")>("@opentelemetry/exporter-trace-otlp-proto");
const resources = lazyModule<typeof import("@opentelemetry/resources")>("@opentelemetry/resources");
const traceSdk = lazyModule<typeof import("@opentelemetry/sdk-trace")>("@opentelemetry/sdk-trace");
const ATTR_SERVICE_NAME = "service.name";

let registered = false;
/** The global context manager and W3C propagator, once per process (the API refuses a second registration). */
export function registerTracingGlobals(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new (contextManagers().AsyncLocalStorageContextManager)());
  propagation.setGlobalPropagator(new (otelCore().W3CTraceContextPropagator)());
}

/** Tracing as the OTEL_* environment asks for it, or undefined when it asks for none (the default). */
export function createTracingFromEnv(tiers: readonly ProcessTier[], env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const exporters = exportersFromEnv(env);
  if (exporters.length === 0) return undefined;
  const batch = batchOptionsFromEnv(env);
  const { BatchSpanProcessor, ConsoleSpanExporter } = traceSdk();
  const spanProcessors = exporters.map((name) => new BatchSpanProcessor({ ...batch, exporter: name === "otlp" ? new (otlpExporter().OTLPTraceExporter)() : new ConsoleSpanExporter() }));
  return createTracing({ tiers, spanProcessors, env });
}

export function createTracing({ tiers, spanProcessors = [], env = process.env }: TracingOptions): Tracing {
  registerTracingGlobals();
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) override the tier's default name.
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = resources();
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName(tiers) }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new (traceSdk().TracerProvider)({ resource, sampler: samplerFromEnv(env), spanProcessors });
  const tracer = provider.getTracer(INSTRUMENTATION);
  return {
    tracer,
    concern: createTracingConcern(tracer),
    // Spans that cannot be delivered (collector down, export limit) are lost, but never fail the host's stop.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
