// The span of a call a mod-only process relays to sys (sys/core/forwarding): mod runs no pipeline on it, so this
// client span is mod's whole part of the call — a child of the caller's traceparent, with its own context sent
// on to sys in place of the caller's, ended when the caller's response is done. Its status is what sys
// answered (grpc-status in the headers or trailers, else the HTTP status), or Unavailable when sys could not
// be reached.
import type { ServerResponse } from "node:http";
import type { ClientHttp2Stream, Http2ServerResponse, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { propagation, ROOT_CONTEXT, SpanKind, type TextMapGetter, type TextMapSetter, type Tracer, trace } from "@opentelemetry/api";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { ForwardedRequest } from "../forwarding/outgoing-headers.js";
import { finish } from "./server-span.js";

const requestGetter: TextMapGetter<ForwardedRequest> = {
  get: (req, key) => req.headers[key],
  keys: (req) => Object.keys(req.headers),
};
const headerSetter: TextMapSetter<OutgoingHttpHeaders> = { set: (headers, key, value) => void (headers[key] = value) };

export interface ForwardSpan {
  /** The outgoing headers with this span's traceparent (and the caller's tracestate) in place of the caller's. */
  inject(headers: OutgoingHttpHeaders): OutgoingHttpHeaders;
  /** Reads sys's answer off the upstream stream. */
  watch(upstream: ClientHttp2Stream): void;
}

export function startForwardSpan(tracer: Tracer, req: ForwardedRequest, res: ServerResponse | Http2ServerResponse, target: URL): ForwardSpan {
  const path = (req.url ?? "/").split("?")[0]!;
  const [service = "", method = ""] = path.slice(1).split("/");
  const parent = propagation.extract(ROOT_CONTEXT, req, requestGetter);
  const span = tracer.startSpan(
    path.slice(1),
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "rpc.system": String(req.headers["content-type"] ?? "").startsWith("application/grpc") ? "grpc" : "connect_rpc",
        "rpc.service": service,
        "rpc.method": method,
        "server.address": target.hostname,
        "server.port": Number(target.port) || (target.protocol === "https:" ? 443 : 80),
      },
    },
    parent,
  );
  let answer: { grpcStatus?: number; httpStatus?: number } | undefined;
  const read = (headers: IncomingHttpHeaders) => {
    answer ??= {};
    if (headers[":status"]) answer.httpStatus = Number(headers[":status"]);
    if (headers["grpc-status"] !== undefined) answer.grpcStatus = Number(headers["grpc-status"]);
  };
  res.once("close", () => {
    if (!answer) return finish(span, new ConnectError("sys is unreachable", Code.Unavailable), () => true);
    const code = answer.grpcStatus ?? (answer.httpStatus !== undefined && answer.httpStatus >= 400 ? codeFromHttpStatus(answer.httpStatus) : 0);
    if (code === 0) return finish(span);
    finish(span, new ConnectError(`sys answered ${answer.grpcStatus !== undefined ? `grpc-status ${code}` : `HTTP ${answer.httpStatus}`}`, code), () => true);
  });
  return {
    inject(headers) {
      propagation.inject(trace.setSpan(parent, span), headers, headerSetter);
      return headers;
    },
    watch(upstream) {
      upstream.once("response", read);
      upstream.once("trailers", read);
    },
  };
}
