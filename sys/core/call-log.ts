// One structured log line per RPC, and the last line of defence that keeps internal errors (stack traces,
// SQL, file paths) from reaching clients: they are logged here and replaced by a generic Internal error that
// carries the request id, so support can find the line.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createContextKey, type Interceptor, type StreamRequest, type UnaryRequest } from "@connectrpc/connect";
import type { Logger } from "pino";
import { clientAddressKey, principalKey } from "./authn/principal.js";
import { reasonOf } from "./errors.js";

export const REQUEST_ID_HEADER = "x-request-id";
export const requestIdKey = createContextKey<string>("", { description: "request id" });

// Incoming ids are echoed and logged, so only plain tokens are trusted; anything else gets a fresh id.
const acceptableId = /^[\w.:-]{1,128}$/;

export function createCallLog(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const incoming = req.header.get(REQUEST_ID_HEADER);
    const requestId = incoming && acceptableId.test(incoming) ? incoming : randomUUID();
    req.contextValues.set(requestIdKey, requestId);
    const since = process.hrtime.bigint();
    const logOk = () => logger.info({ ...describe(req, requestId, since), code: "ok" }, "rpc");
    const logError = (error: unknown): ConnectError => {
      const line = describe(req, requestId, since);
      if (error instanceof ConnectError || isAbort(error)) {
        const err = ConnectError.from(error);
        const serverFault = err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
        logger[serverFault ? "error" : "info"]({ ...line, code: Code[err.code], reason: reasonOf(err), err: serverFault ? err : undefined }, "rpc");
        err.metadata.set(REQUEST_ID_HEADER, requestId);
        return err;
      }
      logger.error({ ...line, code: Code[Code.Internal], err: error }, "rpc");
      return new ConnectError(`internal error, request id ${requestId}`, Code.Internal, { [REQUEST_ID_HEADER]: requestId });
    };

    let res;
    try {
      res = await next(req);
    } catch (e) {
      throw logError(e);
    }
    res.header.set(REQUEST_ID_HEADER, requestId);
    if (!res.stream) {
      logOk();
      return res;
    }
    // A stream is logged when it ends; errors raised mid-stream are sanitised the same way.
    const responses = res.message;
    async function* logged() {
      let ended = false;
      try {
        yield* responses;
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
    return { ...res, message: logged() };
  };
}

function describe(req: UnaryRequest | StreamRequest, requestId: string, since: bigint) {
  const principal = req.contextValues.get(principalKey);
  const peer = req.contextValues.get(clientAddressKey);
  return {
    method: `/${req.service.typeName}/${req.method.name}`,
    duration_ms: Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100,
    principal: principal?.accountId,
    request_id: requestId,
    protocol: protocolOf(req.header.get("content-type") ?? ""),
    peer: peer || undefined,
  };
}

function protocolOf(contentType: string): string {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

const isAbort = (e: unknown) => e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError");
