// What the unary fast paths (gRPC, Connect) share: the method table, a lazily built handler context, and one
// call's life — validation, the guard, the handler, the deadline, cancellation, the metric and the log line —
// exactly as connect-node's interceptors run them. Each protocol only decodes the request and writes the reply.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, createContextValues, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { clientAddressKey, type Principal, principalKey } from "./authn/principal.js";
import type { Guard } from "./authz/guard.js";
import { REQUEST_ID_HEADER, requestIdKey } from "./call-log.js";
import { apiError, reasonOf } from "./errors.js";
import type { ObservedMethod } from "./metrics.js";
import type { ServiceRegistration } from "./module.js";
import type { MessageValidator } from "./validation.js";

export type Protocol = "grpc" | "grpc-web" | "connect";

/** One finished call, for the per-call log line (same fields as the call-log interceptor's). */
export interface FastPathCall {
  line: { method: string; duration_ms: number; principal?: string; request_id: string; protocol: Protocol; peer?: string };
  error?: unknown; // the raw error, before sanitising (so Internal causes get logged)
}

export interface FastPathOptions {
  services: ServiceRegistration[];
  validate: MessageValidator;
  guard: Guard;
  observe?: (method: ObservedMethod, code: string, seconds: number) => void;
  logCall?: (call: FastPathCall) => void;
  maxMessageBytes: number;
}

export type Req = Http2ServerRequest | IncomingMessage;
export type Res = Http2ServerResponse | ServerResponse;
type Impl = (input: unknown, ctx: HandlerContext) => unknown;
export interface Route { method: DescMethod; impl: Impl; path: string; observed: ObservedMethod }

/** How a call ended, for the protocol to write: the encoded reply, or the error the client may see. */
export type Respond = (outcome: { body: Uint8Array; error?: undefined } | { body?: undefined; error: ConnectError }, call: UnaryCall) => void;

export interface UnaryCall {
  readonly ctx: LazyContext;
  readonly requestId: string;
  readonly finished: boolean;
  /** The handler's signal aborts at the deadline and the caller gets DeadlineExceeded at once. */
  setDeadline(timeoutMs: number): void;
  /** Runs decode → validate → guard → handler, then answers. */
  run(decode: () => unknown): void;
  /** Refuses the request before the call starts (protocol errors, oversize), as connect does. */
  fail(error: ConnectError): void;
}

// Same rule as the call log: incoming ids are echoed and logged, so only plain tokens are trusted.
const acceptableId = /^[\w.:-]{1,128}$/;
// setTimeout's ceiling; a longer deadline is as good as none.
const maxTimerMs = 2 ** 31 - 1;

/**
 * A request body refused for its size: connect's readMaxBytes wording (code and message as connect-node
 * says them), plus the stable reason MESSAGE_TOO_LARGE and the limit. `size` is left out when unknown.
 */
export function requestTooLarge(size: number | undefined, max: number): ConnectError {
  const message = `message size ${size === undefined ? "" : `${size} `}is larger than configured readMaxBytes ${max}`;
  return apiError(Code.ResourceExhausted, "MESSAGE_TOO_LARGE", message, { limit: String(max) });
}

/** Unary methods with an implementation, by request path. Unimplemented ones fall through to connect. */
export function unaryRoutes(services: ServiceRegistration[]): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const { desc, impl } of services) {
    for (const method of (desc as DescService).methods) {
      const fn = (impl as Record<string, Impl | undefined>)[method.localName];
      if (method.methodKind !== "unary" || typeof fn !== "function") continue;
      const path = `/${desc.typeName}/${method.name}`;
      routes.set(path, { method, impl: fn.bind(impl), path, observed: { service: desc.typeName, name: method.name, type: "unary" } });
    }
  }
  return routes;
}

/**
 * Starts one call. `encode` turns the handler's reply into the wire body (its size is checked against the
 * limit here); `respond` writes whatever the outcome was, once.
 */
export function startUnaryCall(options: FastPathOptions, route: Route, req: Req, res: Res, protocol: Protocol, encode: (message: unknown) => Uint8Array, respond: Respond): UnaryCall {
  const { validate, guard, observe, logCall, maxMessageBytes } = options;
  const since = process.hrtime.bigint();
  const headers = req.headers;
  const incomingId = headers[REQUEST_ID_HEADER];
  const requestId = typeof incomingId === "string" && acceptableId.test(incomingId) ? incomingId : randomUUID();
  const peer = req.socket?.remoteAddress ?? "";
  const ctx = createLazyContext(route.method, protocol, req.url!, headers, createContextValues().set(clientAddressKey, peer).set(requestIdKey, requestId));
  let timer: NodeJS.Timeout | undefined;

  // Every outcome ends here once: the reply, the metric and the log line, as the interceptors would write them.
  const finish = (message: unknown, error?: unknown, beforeCall = false) => {
    if (call.finished) return;
    call.finished = true;
    clearTimeout(timer);
    ctx.complete(); // as connect: the handler's signal fires once the call is over
    let body: Uint8Array | undefined;
    if (error === undefined) {
      try {
        body = encode(message);
        if (body.length > maxMessageBytes) error = new ConnectError(`message size ${body.length} is larger than configured writeMaxBytes ${maxMessageBytes}`, Code.ResourceExhausted);
      } catch (e) {
        error = e;
      }
    }
    // connect-node refuses a request before its interceptors run, so the call log adds no request id then.
    const sent = error === undefined ? undefined : beforeCall ? (error as ConnectError) : sanitise(error, requestId);
    const principal = ctx.values.get(principalKey) as Principal | undefined;
    const duration = Number(process.hrtime.bigint() - since);
    observe?.(route.observed, sent ? Code[sent.code] : "OK", duration / 1e9);
    logCall?.({ line: { method: route.path, duration_ms: Math.round(duration / 1e4) / 100, principal: principal?.accountId, request_id: requestId, protocol, peer: peer || undefined }, error });
    try {
      respond(sent ? { error: sent } : { body: body! }, call);
    } catch (e) {
      // Writing to a stream the peer has just reset throws; runs from a timer too, so it must never escape.
      logCall?.({ line: { method: route.path, duration_ms: 0, request_id: requestId, protocol, peer: peer || undefined }, error: e });
      res.destroy();
    }
  };

  const call = {
    ctx,
    requestId,
    finished: false,
    setDeadline(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      ctx.timeoutMs = () => deadline - Date.now();
      if (timeoutMs > maxTimerMs) return;
      timer = setTimeout(() => {
        const error = new ConnectError("the operation timed out", Code.DeadlineExceeded);
        ctx.abort(error);
        finish(undefined, error);
      }, timeoutMs);
    },
    run(decode: () => unknown) {
      const handle = async () => {
        const input = decode();
        validate(route.method.input, input as never);
        const authorization = headers.authorization;
        const principal = await guard(route.path, authorization === undefined ? null : authorization, input as Record<string, unknown>, peer);
        if (principal) ctx.values.set(principalKey, principal);
        return route.impl(input, ctx);
      };
      handle().then((out) => finish(out), (e: unknown) => finish(undefined, e));
    },
    fail(error: ConnectError) {
      finish(undefined, error, true);
    },
  };
  // A response that closes before we answered was cancelled; once finished, its 'close' means nothing.
  res.once("close", () => {
    if (!call.finished) ctx.abort(new ConnectError("client went away", Code.Canceled));
  });
  return call;
}

export type LazyContext = HandlerContext & {
  timeoutMs: () => number | undefined;
  abort(reason?: unknown): void;
  /** Aborts the signal (if anyone asked for it) the way connect does when a call completes. */
  complete(): void;
  readonly responseHeaderIfAny: Headers | undefined;
  readonly responseTrailerIfAny: Headers | undefined;
};

/**
 * The HandlerContext connect's createHandlerContext would build, but with its Headers and AbortSignal made on
 * first use: most handlers touch neither, and building three undici Headers plus a linked AbortController per
 * call was a measurable share of a small call's CPU.
 */
function createLazyContext(method: DescMethod, protocolName: Protocol, url: string, incoming: Req["headers"], values: ContextValues): LazyContext {
  let requestHeader: Headers | undefined;
  let responseHeader: Headers | undefined;
  let responseTrailer: Headers | undefined;
  let controller: AbortController | undefined;
  let abortedWith: { reason: unknown } | undefined;
  return {
    method,
    service: method.parent,
    protocolName,
    requestMethod: "POST",
    url,
    values,
    timeoutMs: () => undefined,
    get requestHeader() {
      if (!requestHeader) {
        requestHeader = new Headers();
        for (const name in incoming) {
          const value = incoming[name];
          if (name[0] !== ":" && value !== undefined) requestHeader.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
      }
      return requestHeader;
    },
    get responseHeader() {
      return (responseHeader ??= new Headers());
    },
    get responseTrailer() {
      return (responseTrailer ??= new Headers());
    },
    get responseHeaderIfAny() {
      return responseHeader;
    },
    get responseTrailerIfAny() {
      return responseTrailer;
    },
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (abortedWith) controller.abort(abortedWith.reason);
      }
      return controller.signal;
    },
    abort(reason) {
      if (abortedWith) return;
      abortedWith = { reason };
      controller?.abort(reason);
    },
    complete() {
      if (controller && !abortedWith) this.abort(new ConnectError("operation was aborted", Code.Canceled));
    },
  } as LazyContext;
}

const isAbort = (error: unknown) => error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");

/** What the call log sends: ConnectErrors (and aborts) as they are, anything else as a generic Internal. */
function sanitise(error: unknown, requestId: string): ConnectError {
  const err = error instanceof ConnectError || isAbort(error) ? ConnectError.from(error) : new ConnectError(`internal error, request id ${requestId}`, Code.Internal);
  err.metadata.set(REQUEST_ID_HEADER, requestId);
  return err;
}

/** The call-log interceptor's line, for calls a fast path served. */
export function logFastPathCall(logger: Logger): (call: FastPathCall) => void {
  return ({ line, error }) => {
    if (error === undefined) return logger.info({ ...line, code: "ok" }, "rpc");
    if (!(error instanceof ConnectError || isAbort(error))) return logger.error({ ...line, code: Code[Code.Internal], err: error }, "rpc");
    const err = ConnectError.from(error);
    const serverFault = err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
    logger[serverFault ? "error" : "info"]({ ...line, code: Code[err.code], reason: reasonOf(err), err: serverFault ? err : undefined }, "rpc");
  };
}
