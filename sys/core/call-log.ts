// One structured log line per RPC, and the last line of defence that keeps internal errors (stack traces,
// SQL, file paths) from reaching clients: they are logged here and replaced by a generic Internal error that
// carries the request id, so support can find the line. A pipeline concern: it runs for every call on every
// protocol, whichever path served it.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { clientAddressKey, principalKey } from "./authn/principal.js";
import { reasonOf } from "./errors.js";
import { type Concern, repliesWithStream, requestHeaderOf } from "./pipeline/concern.js";

export const REQUEST_ID_HEADER = "x-request-id";
export const requestIdKey = createContextKey<string>("", { description: "request id" });

// Incoming ids are echoed and logged, so only plain tokens are trusted; anything else gets a fresh id.
const acceptableId = /^[\w.:-]{1,128}$/;

const isAbort = (e: unknown) => e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError");

export function createCallLogConcern(logger: Logger): Concern {
  return (method, path) => (next) => (call) => {
    const { ctx } = call;
    const incoming = requestHeaderOf(ctx, REQUEST_ID_HEADER);
    const requestId = incoming && acceptableId.test(incoming) ? incoming : randomUUID();
    ctx.values.set(requestIdKey, requestId);
    const since = process.hrtime.bigint();
    // Read now: the tracing concern (outside this one) made its span active for this call.
    const traceId = traceIdOf();
    const line = () => describe(ctx, path, requestId, since, traceId);
    const logOk = () => logger.info({ ...line(), code: "ok" }, "rpc");
    const logError = (error: unknown): ConnectError => {
      if (error instanceof ConnectError || isAbort(error)) {
        const err = ConnectError.from(error);
        const serverFault = err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
        logger[serverFault ? "error" : "info"]({ ...line(), code: Code[err.code], reason: reasonOf(err), err: serverFault ? err : undefined }, "rpc");
        err.metadata.set(REQUEST_ID_HEADER, requestId);
        return err;
      }
      logger.error({ ...line(), code: Code[Code.Internal], err: error }, "rpc");
      return new ConnectError(`internal error, request id ${requestId}`, Code.Internal, { [REQUEST_ID_HEADER]: requestId });
    };
    return next(call).then(
      (reply) => {
        ctx.responseHeader.set(REQUEST_ID_HEADER, requestId);
        if (!repliesWithStream(method)) {
          logOk();
          return reply;
        }
        return logged(reply as AsyncIterable<unknown>, logOk, logError);
      },
      (error: unknown) => {
        throw logError(error);
      },
    );
  };
}

/** A stream is logged when it ends; errors raised mid-stream are sanitised the same way. */
async function* logged(replies: AsyncIterable<unknown>, logOk: () => void, logError: (error: unknown) => ConnectError) {
  let ended = false;
  try {
    yield* replies;
    ended = true;
    logOk();
  } catch (e) {
    ended = true;
    throw logError(e);
  } finally {
    // The consumer stopped early: the client cancelled or went away.
    if (!ended) logError(new ConnectError("client went away", Code.Canceled));
  }
}

function traceIdOf(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const context = span.spanContext();
  return trace.isSpanContextValid(context) ? context.traceId : undefined;
}

function describe(ctx: HandlerContext, path: string, requestId: string, since: bigint, traceId: string | undefined) {
  const peer = ctx.values.get(clientAddressKey);
  return {
    method: path,
    duration_ms: Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100,
    principal: ctx.values.get(principalKey)?.accountId,
    request_id: requestId,
    trace_id: traceId,
    protocol: ctx.protocolName,
    peer: peer || undefined,
  };
}
