// The server span of every call, on every protocol: a child of the caller's W3C `traceparent` when it sent one,
// active while the rest of the pipeline and the handler run (so the call log can name the trace, and the ports'
// and the database's spans become its children), ended when the reply — or a streamed reply's last message — is
// done. Names and attributes follow the RPC semantic conventions.
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Concern, repliesWithStream, requestHeaderOf } from "../pipeline/concern.js";

const headerGetter: TextMapGetter<HandlerContext> = {
  get: (ctx, key) => requestHeaderOf(ctx, key) ?? undefined,
  keys: () => ["traceparent", "tracestate"],
};

// A server span is an error only when the server failed; a refused or invalid call is the caller's (semconv).
const SERVER_FAULTS = new Set([Code.Unknown, Code.DeadlineExceeded, Code.Unimplemented, Code.Internal, Code.Unavailable, Code.DataLoss]);

export function createTracingConcern(tracer: Tracer): Concern {
  return (method, path) => {
    const service = method.parent.typeName;
    const name = path.slice(1);
    const streams = repliesWithStream(method);
    const attributesFor = (ctx: HandlerContext): Attributes => ({
      "rpc.system": rpcSystemOf(requestHeaderOf(ctx, "content-type")),
      "rpc.service": service,
      "rpc.method": method.name,
    });
    return (next) => (call) => {
      const parent = propagation.extract(ROOT_CONTEXT, call.ctx, headerGetter);
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: attributesFor(call.ctx) }, parent);
      const active = trace.setSpan(parent, span);
      let reply: Promise<unknown>;
      try {
        reply = context.with(active, next, undefined, call);
      } catch (error) {
        reply = Promise.reject(error);
      }
      return reply.then(
        (value) => {
          if (!streams) {
            finish(span);
            return value;
          }
          return traceStream(value as AsyncIterable<unknown>, span, active, call.ctx.signal);
        },
        (error: unknown) => {
          finish(span, error);
          throw error;
        },
      );
    };
  };
}

/** Ends the span with the call's outcome. */
export function finish(span: Span, error?: unknown, isFault: (code: Code) => boolean = (code) => SERVER_FAULTS.has(code)): void {
  if (error === undefined) {
    span.setAttribute("rpc.grpc.status_code", 0); // OK
  } else {
    const err = ConnectError.from(error);
    span.setAttribute("rpc.grpc.status_code", err.code);
    if (isFault(err.code)) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.rawMessage });
    }
  }
  span.end();
}

/** The stream's messages are produced inside the span's context; the span ends with the stream. */
async function* traceStream(replies: AsyncIterable<unknown>, span: Span, active: Context, signal: AbortSignal): AsyncIterable<unknown> {
  const iterator = replies[Symbol.asyncIterator]();
  let outcome: { error?: unknown } | undefined;
  try {
    for (;;) {
      const step = await context.with(active, () => iterator.next());
      if (step.done) break;
      yield step.value;
    }
    // A handler that ends its stream because the caller went away still ends a cancelled call.
    outcome = signal.aborted ? { error: ConnectError.from(signal.reason) } : {};
  } catch (error) {
    outcome = { error };
    throw error;
  } finally {
    if (!outcome) {
      // The consumer stopped early (the client went away): let the handler's stream clean up too.
      await Promise.resolve(context.with(active, () => iterator.return?.())).catch(() => undefined);
      outcome = { error: new ConnectError("client went away", Code.Canceled) };
    }
    finish(span, outcome?.error);
  }
}

function rpcSystemOf(contentType: string | null): string {
  return contentType?.startsWith("application/grpc") ? "grpc" : "connect_rpc";
}
