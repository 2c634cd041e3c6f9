// Prometheus metrics under go-grpc-prometheus's names and labels, so the stock gRPC dashboards and alerts work
// unchanged. Codes are grpc-go's Code.String() spellings ("OK", "InvalidArgument", …), which are exactly
// Connect's Code enum names.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor, type StreamRequest } from "@connectrpc/connect";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type GrpcType = "unary" | "client_stream" | "server_stream" | "bidi_stream";

export interface ObservedMethod {
  service: string; // "polity.sys.account.v1.AccountService"
  name: string; // "GetAccount"
  type: GrpcType | DescMethod["methodKind"];
}

export interface Metrics {
  registry: Registry;
  interceptor: Interceptor;
  /**
   * Records one finished call in full (started, handled, duration, messages), for paths that bypass Connect's
   * interceptors. Messages default to one received, and one sent when the code is "OK".
   */
  observe(method: ObservedMethod, code: string | Code, seconds: number, messages?: { received: number; sent: number }): void;
  /** Serves the exposition format (mount it on /metrics). */
  handleHttp(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void;
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

  const labelsOf = (m: ObservedMethod) => ({ grpc_type: m.type in kinds ? kinds[m.type as DescMethod["methodKind"]] : m.type, grpc_service: m.service, grpc_method: m.name });
  const finish = (labels: ReturnType<typeof labelsOf>, code: string, since: bigint) => {
    handled.inc({ ...labels, grpc_code: code });
    seconds.observe(labels, Number(process.hrtime.bigint() - since) / 1e9);
  };

  async function* counted<T>(messages: AsyncIterable<T>, counter: Counter, labels: ReturnType<typeof labelsOf>) {
    for await (const m of messages) {
      counter.inc(labels);
      yield m;
    }
  }

  const interceptor: Interceptor = (next) => async (req) => {
    const labels = labelsOf({ service: req.service.typeName, name: req.method.name, type: req.method.methodKind });
    const since = process.hrtime.bigint();
    started.inc(labels);
    if (!req.stream) {
      received.inc(labels);
      try {
        const res = await next(req);
        sent.inc(labels);
        finish(labels, "OK", since);
        return res;
      } catch (e) {
        finish(labels, codeOf(e), since);
        throw e;
      }
    }
    let res;
    try {
      res = await next({ ...req, message: counted(req.message, received, labels) } satisfies StreamRequest);
    } catch (e) {
      finish(labels, codeOf(e), since);
      throw e;
    }
    if (!res.stream) return res;
    // A stream's outcome is known only once its responses are drained (or the handler throws mid-way).
    const responses = res.message;
    async function* observed() {
      let code = "Canceled"; // the consumer gave up early: the peer went away
      try {
        for await (const m of responses) {
          sent.inc(labels);
          yield m;
        }
        code = "OK";
      } catch (e) {
        code = codeOf(e);
        throw e;
      } finally {
        finish(labels, code, since);
      }
    }
    return { ...res, message: observed() };
  };

  // The fast path passes the same method object on every call: its label sets are built once, not per call.
  const labelCache = new WeakMap<ObservedMethod, { labels: ReturnType<typeof labelsOf>; byCode: Map<string, Record<string, string>> }>();
  const cachedLabels = (method: ObservedMethod) => {
    let hit = labelCache.get(method);
    if (!hit) labelCache.set(method, (hit = { labels: labelsOf(method), byCode: new Map() }));
    return hit;
  };

  return {
    registry,
    interceptor,
    observe(method, code, elapsed, messages) {
      const { labels, byCode } = cachedLabels(method);
      const name = codeName(code);
      started.inc(labels);
      received.inc(labels, messages?.received ?? 1);
      const out = messages?.sent ?? (name === "OK" ? 1 : 0);
      if (out > 0) sent.inc(labels, out);
      let withCode = byCode.get(name);
      if (!withCode) byCode.set(name, (withCode = { ...labels, grpc_code: name }));
      handled.inc(withCode);
      seconds.observe(labels, elapsed);
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
