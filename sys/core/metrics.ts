// Prometheus metrics under go-grpc-prometheus's names and labels, so the stock gRPC dashboards and alerts work
// unchanged. Codes are grpc-go's Code.String() spellings ("OK", "InvalidArgument", …), which are exactly
// Connect's Code enum names.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { type Concern, repliesWithStream, takesStream } from "./pipeline/concern.js";

export type GrpcType = "unary" | "client_stream" | "server_stream" | "bidi_stream";

export interface ObservedMethod {
  service: string; // "polity.sys.account.v1.AccountService"
  name: string; // "GetAccount"
  type: GrpcType | DescMethod["methodKind"];
}

export interface Metrics {
  registry: Registry;
  /** The call pipeline's metrics concern: one count and one latency per call, whatever path served it. */
  concern: Concern;
  /** Counts one answered request of a module's plain HTTP route (`route` is its pattern, never the raw path). */
  countHttp(route: string, method: string, code: number): void;
  /** Reports each queue's depth and the age of its oldest waiting job at every scrape. */
  observeQueues(source: QueueDepthSource): void;
  /** Serves the exposition format (mounted on the admin listener's /metrics). */
  handleHttp(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void;
}

/** The job queue as the gauges see it. */
export interface QueueDepthSource {
  depths(): Promise<Array<{ queue: string; queued: number; oldestAgeSeconds: number }>>;
}

const kinds: Record<DescMethod["methodKind"], GrpcType> = {
  unary: "unary",
  client_streaming: "client_stream",
  server_streaming: "server_stream",
  bidi_streaming: "bidi_stream",
};

/** grpc-go's name for a code; "OK" for success. */
export function codeName(code: string | Code | undefined): string {
  if (code === undefined || code === "OK") return "OK";
  return typeof code === "number" ? Code[code] : code;
}

/** The code a call ended with, as the client sees it: connect-node answers Internal for non-Connect errors. */
export function codeOf(error: unknown): string {
  if (error instanceof ConnectError) return codeName(error.code);
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return "Canceled";
  return "Internal";
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client also reports these totals as gauges named `*_total`, which Prometheus reserves for counters
  // (promtool rejects them); each is the sum of its per-type gauge: sum(nodejs_active_handles).
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) registry.removeSingleMetric(name);
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  const started = new Counter({ name: "grpc_server_started_total", help: "Total number of RPCs started on the server.", labelNames, registers: [registry] });
  const handled = new Counter({
    name: "grpc_server_handled_total",
    help: "Total number of RPCs completed on the server, regardless of success or failure.",
    labelNames: [...labelNames, "grpc_code"],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const received = new Counter({ name: "grpc_server_msg_received_total", help: "Total number of RPC stream messages received on the server.", labelNames, registers: [registry] });
  const sent = new Counter({ name: "grpc_server_msg_sent_total", help: "Total number of gRPC stream messages sent by the server.", labelNames, registers: [registry] });

  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "Total number of requests answered by modules' plain HTTP routes.",
    labelNames: ["route", "method", "code"],
    registers: [registry],
  });

  const labelsOf = (m: ObservedMethod) => ({ grpc_type: m.type in kinds ? kinds[m.type as DescMethod["methodKind"]] : m.type, grpc_service: m.service, grpc_method: m.name });

  async function* counted<T>(messages: AsyncIterable<T>, counter: Counter, labels: ReturnType<typeof labelsOf>) {
    for await (const m of messages) {
      counter.inc(labels);
      yield m;
    }
  }

  // Built once per method when the host registers it: the label sets are never rebuilt per call.
  const concern: Concern = (method) => {
    const labels = labelsOf({ service: method.parent.typeName, name: method.name, type: method.methodKind });
    const byCode = new Map<string, Record<string, string>>();
    const finish = (code: string, since: bigint) => {
      let withCode = byCode.get(code);
      if (!withCode) byCode.set(code, (withCode = { ...labels, grpc_code: code }));
      handled.inc(withCode);
      seconds.observe(labels, Number(process.hrtime.bigint() - since) / 1e9);
    };
    const streamIn = takesStream(method);
    const streamOut = repliesWithStream(method);
    return (next) => (call) => {
      const since = process.hrtime.bigint();
      started.inc(labels);
      if (streamIn) call.input = counted(call.input as AsyncIterable<unknown>, received, labels);
      else received.inc(labels);
      return next(call).then(
        (reply) => {
          if (!streamOut) {
            sent.inc(labels);
            finish("OK", since);
            return reply;
          }
          return observed(reply as AsyncIterable<unknown>, labels, finish, since);
        },
        (error: unknown) => {
          finish(codeOf(error), since);
          throw error;
        },
      );
    };
  };

  /** A stream's outcome is known only once its replies are drained (or the handler throws mid-way). */
  async function* observed(replies: AsyncIterable<unknown>, labels: ReturnType<typeof labelsOf>, finish: (code: string, since: bigint) => void, since: bigint) {
    let code = "Canceled"; // the consumer gave up early: the peer went away
    try {
      for await (const m of replies) {
        sent.inc(labels);
        yield m;
      }
      code = "OK";
    } catch (e) {
      code = codeOf(e);
      throw e;
    } finally {
      finish(code, since);
    }
  }

  function observeQueues(source: QueueDepthSource) {
    // One read per queue per scrape serves both gauges (prom-client collects the metrics of a scrape concurrently).
    let reading: { at: number; depths: ReturnType<QueueDepthSource["depths"]> } | undefined;
    const read = () => {
      if (!reading || Date.now() - reading.at > 1000) reading = { at: Date.now(), depths: source.depths() };
      return reading.depths;
    };
    new Gauge({
      name: "job_queue_depth",
      help: "Jobs waiting in a background job queue (queued or waiting for a retry).",
      labelNames: ["queue"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { queue, queued } of await read()) this.set({ queue }, queued);
      },
    });
    new Gauge({
      name: "job_queue_oldest_age_seconds",
      help: "Age of the oldest job waiting in a background job queue (0 when none waits).",
      labelNames: ["queue"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { queue, oldestAgeSeconds } of await read()) this.set({ queue }, oldestAgeSeconds);
      },
    });
  }

  return {
    registry,
    concern,
    observeQueues,
    countHttp(route, method, code) {
      httpRequests.inc({ route, method, code: String(code) });
    },
    handleHttp(_req, out) {
      // Both response kinds share this part of the API; TypeScript cannot call a union of overloads.
      const res = out as ServerResponse;
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics failed: ${String(err)}`);
        },
      );
    },
  };
}
