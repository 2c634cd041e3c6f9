// Tracing is configured only through the standard OTEL_* variables and is off unless they ask for an exporter:
// then, and only then, an SDK tracer provider exists. The 3.x trace SDK no longer reads the environment itself,
// so the sampler and batch settings are read here with the names and defaults of the OpenTelemetry spec; the
// OTLP exporter reads its own endpoint, headers, timeout and compression variables.
import type { BatchSpanProcessorOptions, Sampler } from "@opentelemetry/sdk-trace";
import { ConfigError } from "../config.js";
import { lazyModule } from "../lazy-module.js";
import type { ProcessTier } from "../module.js";

const traceSdk = lazyModule<typeof import("@opentelemetry/sdk-trace")>("@opentelemetry/sdk-trace");

export type TraceExporterName = "otlp" | "console";

/**
 * Which exporters the environment asks for: none unless OTEL_TRACES_EXPORTER names one, or an OTLP endpoint is
 * set (then `otlp`, the spec's default exporter). OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none win.
 */
export function exportersFromEnv(env: NodeJS.ProcessEnv = process.env): TraceExporterName[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return [];
  const listed = (env.OTEL_TRACES_EXPORTER ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (listed.length === 0) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT ? ["otlp"] : [];
  if (listed.includes("none")) return [];
  const unknown = listed.filter((name) => name !== "otlp" && name !== "console");
  if (unknown.length > 0) throw new ConfigError(`OTEL_TRACES_EXPORTER: unsupported exporter ${unknown.join(", ")} (otlp, console or none)`);
  if (listed.includes("otlp")) {
    const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf").trim();
    if (protocol !== "http/protobuf") throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol ${protocol} (http/protobuf)`);
  }
  return [...new Set(listed)] as TraceExporterName[];
}

/** The spec's default is parentbased_always_on; a ratio outside [0, 1] or not a number is a configuration error. */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = traceSdk();
  const name = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  const ratio = () => {
    const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    if (!arg) return 1;
    const value = Number(arg);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got ${arg}`);
    return value;
  };
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio());
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new ConfigError(`OTEL_TRACES_SAMPLER: unsupported sampler ${name}`);
  }
}

/** OTEL_BSP_*: the batch span processor's schedule, queue and export timeout (SDK defaults when unset). */
export function batchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<BatchSpanProcessorOptions, "exporter"> {
  const number = (name: string) => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name}: expected a whole number, got ${raw}`);
    return value;
  };
  return {
    scheduledDelayMillis: number("OTEL_BSP_SCHEDULE_DELAY"),
    exportTimeoutMillis: number("OTEL_BSP_EXPORT_TIMEOUT"),
    maxQueueSize: number("OTEL_BSP_MAX_QUEUE_SIZE"),
    maxExportBatchSize: number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
  };
}

/** polity-sys, polity-mod, or polity for a process running both; OTEL_SERVICE_NAME overrides it. */
export function defaultServiceName(tiers: readonly ProcessTier[]): string {
  if (tiers.length === 1) return `polity-${tiers[0]}`;
  return "polity";
}
