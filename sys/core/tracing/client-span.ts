// The client span of a call mod makes to sys (authorization questions, directory reads): a child of whatever
// span is active — the server span of the call that needed it — with its `traceparent` injected, so sys's
// server span joins the same trace. Health probes are not traced: they are the port's heartbeat, not work.
import { context, propagation, SpanKind, type TextMapSetter, type Tracer, trace } from "@opentelemetry/api";
import type { Interceptor } from "@connectrpc/connect";
import { finish } from "./server-span.js";

const headerSetter: TextMapSetter<Headers> = { set: (headers, key, value) => headers.set(key, value) };

const UNTRACED_SERVICES = new Set(["grpc.health.v1.Health"]);

export function createClientTracingInterceptor(tracer: Tracer, baseUrl: string): Interceptor {
  const url = new URL(baseUrl);
  const server = { "server.address": url.hostname, "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80) };
  return (next) => async (req) => {
    if (UNTRACED_SERVICES.has(req.service.typeName)) return next(req);
    const span = tracer.startSpan(`${req.service.typeName}/${req.method.name}`, {
      kind: SpanKind.CLIENT,
      attributes: { "rpc.system": "grpc", "rpc.service": req.service.typeName, "rpc.method": req.method.name, ...server },
    });
    const active = trace.setSpan(context.active(), span);
    propagation.inject(active, req.header, headerSetter);
    try {
      const res = await context.with(active, () => next(req));
      // The ports make unary calls only; a stream's span would end with its headers here.
      finish(span);
      return res;
    } catch (error) {
      // Every failed call is an error of the client.
      finish(span, error, () => true);
      throw error;
    }
  };
}
