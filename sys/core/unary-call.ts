// What the unary fast paths (gRPC, gRPC-Web, Connect) share: the method table, a lazily built handler context,
// and one call's life — the deadline, cancellation, the pipelined handler and the one answer. The call
// pipeline (validation, the guard, call log, metrics, tracing) is inside the handler, as on every other path;
// each protocol only decodes the request and writes the reply.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { clientAddressKey } from "./authn/principal.js";
import type { ClientAddress } from "./client-address.js";
import { apiError } from "./errors.js";
import type { ServiceRegistration } from "./module.js";
import { rawHeadersKey } from "./pipeline/concern.js";

export type Protocol = "grpc" | "grpc-web" | "connect";

export interface FastPathOptions {
  /** The registrations with the call pipeline applied (see pipeline/apply-concerns.ts). */
  services: ServiceRegistration[];
  clientAddress: ClientAddress;
  maxMessageBytes: number;
}

export type Req = Http2ServerRequest | IncomingMessage;
export type Res = Http2ServerResponse | ServerResponse;
type Impl = (input: unknown, ctx: HandlerContext) => unknown;
export interface Route { method: DescMethod; impl: Impl; path: string }

/** How a call ended, for the protocol to write: the encoded reply, or the error the client may see. */
export type Respond = (outcome: { body: Uint8Array; error?: undefined } | { body?: undefined; error: ConnectError }, call: UnaryCall) => void;

export interface UnaryCall {
  readonly ctx: LazyContext;
  readonly finished: boolean;
  /** The handler's signal aborts at the deadline and the caller gets DeadlineExceeded at once. */
  setDeadline(timeoutMs: number): void;
  /** Decodes the request (a failure is refused like fail()), runs the pipelined handler, then answers. */
  run(decode: () => unknown): void;
  /** Refuses the request before the call starts (protocol errors, oversize), as connect does. */
  fail(error: ConnectError): void;
}

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

/** What every serving path puts in a call's context values before the pipeline runs. */
export function callContextValues(req: Req, clientAddress: ClientAddress): ContextValues {
  return createContextValues().set(clientAddressKey, clientAddress(req)).set(rawHeadersKey, req.headers);
}

/** Unary methods with an implementation, by request path. Unimplemented ones fall through to connect. */
export function unaryRoutes(services: ServiceRegistration[]): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const { desc, impl } of services) {
    for (const method of (desc as DescService).methods) {
      const fn = (impl as Record<string, Impl | undefined>)[method.localName];
      if (method.methodKind !== "unary" || typeof fn !== "function") continue;
      const path = `/${desc.typeName}/${method.name}`;
      routes.set(path, { method, impl: fn.bind(impl), path });
    }
  }
  return routes;
}

/**
 * Starts one call. `encode` turns the handler's reply into the wire body (its size is checked against the
 * limit here); `respond` writes whatever the outcome was, once.
 */
export function startUnaryCall(options: FastPathOptions, route: Route, req: Req, res: Res, protocol: Protocol, encode: (message: unknown) => Uint8Array, respond: Respond): UnaryCall {
  const { maxMessageBytes } = options;
  const headers = req.headers;
  const ctx = createLazyContext(route.method, protocol, req.url!, headers, callContextValues(req, options.clientAddress));
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let deadlinePassed: ConnectError | undefined;

  // Every outcome ends here once.
  const finish = (message: unknown, error?: unknown) => {
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
    try {
      respond(error === undefined ? { body: body! } : { error: asSent(error) }, call);
    } catch {
      // Writing to a stream the peer has just reset throws; runs from a timer too, so it must never escape.
      res.destroy();
    }
  };

  const call = {
    ctx,
    finished: false,
    setDeadline(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      ctx.timeoutMs = () => deadline - Date.now();
      if (timeoutMs > maxTimerMs) return;
      timer = setTimeout(() => {
        const error = new ConnectError("the operation timed out", Code.DeadlineExceeded);
        ctx.abort(error);
        // As connect-node: a running handler is told through its signal and the answer waits for it to settle
        // (what the pipeline adds to the answer, such as the request id, is then there too).
        if (running) deadlinePassed = error;
        else finish(undefined, error);
      }, timeoutMs);
    },
    run(decode: () => unknown) {
      let input: unknown;
      try {
        input = decode();
      } catch (error) {
        return finish(undefined, error);
      }
      let reply: Promise<unknown>;
      try {
        reply = Promise.resolve(route.impl(input, ctx));
      } catch (error) {
        reply = Promise.reject(error);
      }
      running = true;
      reply.then((out) => finish(out, deadlinePassed), (e: unknown) => finish(undefined, deadlinePassed ?? e));
    },
    fail(error: ConnectError) {
      finish(undefined, error);
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

/** What the client may see: ConnectErrors (and aborts) as they are, anything else (the call log sanitises first) as Internal. */
function asSent(error: unknown): ConnectError {
  return error instanceof ConnectError || isAbort(error) ? ConnectError.from(error) : new ConnectError("internal error", Code.Internal);
}
