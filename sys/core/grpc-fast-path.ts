// gRPC unary fast path on the one port, in front of connect-node. connect-node 2.2 runs unary gRPC through its
// full streaming pipeline (~10 async-generator layers, abort reasons built per call) and reaches ~0.25× of
// bare grpc-js (DESIGN.md, "Performance budget"). This answers plain unary gRPC straight on the HTTP/2 stream
// and runs exactly the checks of the Connect path: validation, the guard, the call log and metrics, with the
// same error codes, messages and details. Anything else (streaming, gRPC-Web, Connect, compression, HTTP/1.1)
// returns false and falls through to connect-node unchanged. Only public connect/protobuf-es APIs are used.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse, OutgoingHttpHeaders } from "node:http2";
import { create, type DescMethod, fromBinary, isMessage, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, type ContextValues, createContextValues, encodeBinaryHeader, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { clientAddressKey, type Principal, principalKey } from "./authn/principal.js";
import type { Guard } from "./authz/guard.js";
import { REQUEST_ID_HEADER, requestIdKey } from "./call-log.js";
import { reasonOf } from "./errors.js";
import type { ObservedMethod } from "./metrics.js";
import type { ServiceRegistration } from "./module.js";
import type { MessageValidator } from "./validation.js";

/** One finished call, for the per-call log line (same fields as the call-log interceptor's). */
export interface FastPathCall {
  line: { method: string; duration_ms: number; principal?: string; request_id: string; protocol: "grpc"; peer?: string };
  error?: unknown; // the raw error, before sanitising (so Internal causes get logged)
}

export interface GrpcFastPathOptions {
  services: ServiceRegistration[];
  validate: MessageValidator;
  guard: Guard;
  observe?: (method: ObservedMethod, code: string, seconds: number) => void;
  logCall?: (call: FastPathCall) => void;
  maxMessageBytes: number;
}

type Req = Http2ServerRequest | IncomingMessage;
type Res = Http2ServerResponse | ServerResponse;
type Impl = (input: unknown, ctx: HandlerContext) => unknown;
interface Route { method: DescMethod; impl: Impl; path: string; observed: ObservedMethod }

// Same rule as the call log: incoming ids are echoed and logged, so only plain tokens are trusted.
const acceptableId = /^[\w.:-]{1,128}$/;
// Reserved by the protocols (connect's mergeNonProtocolHeaders): never copied from error metadata.
const protocolHeader = /^(:|grpc-|connect-|content-type$|content-length$|content-encoding$|accept-encoding$|host$|user-agent$|trailer$|date$|te$)/;
const timeoutUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

export function createGrpcFastPath(options: GrpcFastPathOptions): (req: Req, res: Res) => boolean {
  const { validate, guard, observe, logCall, maxMessageBytes } = options;
  const routes = new Map<string, Route>();
  for (const { desc, impl } of options.services) {
    for (const method of desc.methods) {
      const fn = (impl as Record<string, Impl | undefined>)[method.localName];
      // Unimplemented methods fall through so connect answers them (Unimplemented) exactly as usual.
      if (method.methodKind !== "unary" || typeof fn !== "function") continue;
      const path = `/${desc.typeName}/${method.name}`;
      routes.set(path, { method, impl: fn.bind(impl), path, observed: { service: desc.typeName, name: method.name, type: "unary" } });
    }
  }

  return (req, res) => {
    const stream = (req as Http2ServerRequest).stream;
    const type = req.headers["content-type"];
    const encoding = req.headers["grpc-encoding"];
    if (!stream || req.method !== "POST" || (type !== "application/grpc" && type !== "application/grpc+proto")) return false;
    if (encoding !== undefined && encoding !== "identity") return false;
    const route = routes.get(req.url ?? "");
    if (!route) return false;

    const since = process.hrtime.bigint();
    const headers = req.headers;
    const incomingId = headers[REQUEST_ID_HEADER];
    const requestId = typeof incomingId === "string" && acceptableId.test(incomingId) ? incomingId : randomUUID();
    const peer = req.socket?.remoteAddress ?? "";
    const ctx = createLazyContext(route.method, req.url!, headers, createContextValues().set(clientAddressKey, peer).set(requestIdKey, requestId));
    let finished = false;

    // Every outcome ends here once: the reply, the metric and the log line, as the interceptors would write them.
    const finish = (message: unknown, error?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      ctx.complete(); // as connect: the handler's signal fires once the call is over
      let sent: ConnectError | undefined;
      let frame: Buffer | undefined;
      if (error === undefined) {
        const bytes = toBinary(route.method.output, isMessage(message, route.method.output) ? message : create(route.method.output, message as never));
        if (bytes.length > maxMessageBytes) error = new ConnectError(`message size ${bytes.length} is larger than configured writeMaxBytes ${maxMessageBytes}`, Code.ResourceExhausted);
        else {
          frame = Buffer.allocUnsafe(5 + bytes.length);
          frame[0] = 0;
          frame.writeUInt32BE(bytes.length, 1);
          frame.set(bytes, 5);
        }
      }
      if (error !== undefined) sent = sanitise(error, requestId);
      const principal = ctx.values.get(principalKey) as Principal | undefined;
      const duration = Number(process.hrtime.bigint() - since);
      observe?.(route.observed, sent ? Code[sent.code] : "OK", duration / 1e9);
      logCall?.({ line: { method: route.path, duration_ms: Math.round(duration / 1e4) / 100, principal: principal?.accountId, request_id: requestId, protocol: "grpc", peer: peer || undefined }, error });
      if (stream.destroyed || stream.closed) return; // the client went away: nobody to answer
      const head: OutgoingHttpHeaders = { ":status": 200, "content-type": "application/grpc" };
      ctx.responseHeaderIfAny?.forEach((value, name) => (head[name] = value));
      if (sent) {
        // Trailers-only response: the status travels in the one HEADERS frame.
        stream.respond(Object.assign(head, statusTrailers(sent)), { endStream: true });
        return;
      }
      head[REQUEST_ID_HEADER] = requestId;
      const trailers: OutgoingHttpHeaders = { "grpc-status": "0" };
      ctx.responseTrailerIfAny?.forEach((value, name) => (trailers[name] = value));
      // The compat response owns the stream's 'wantTrailers' listener and sends what addTrailers stored.
      stream.respond(head, { waitForTrailers: true });
      (res as Http2ServerResponse).addTrailers(trailers);
      stream.end(frame);
    };

    // grpc-timeout: the handler's signal aborts at the deadline and the caller gets DeadlineExceeded at once.
    let timer: NodeJS.Timeout | undefined;
    const timeout = headers["grpc-timeout"];
    if (typeof timeout === "string") {
      const parsed = /^(\d{1,8})([HMSmun])$/.exec(timeout);
      if (!parsed) {
        finish(undefined, new ConnectError(`protocol error: invalid grpc timeout value: ${timeout}`, Code.InvalidArgument));
        return true;
      }
      const timeoutMs = Number(parsed[1]) * timeoutUnits[parsed[2]];
      const deadline = Date.now() + timeoutMs;
      ctx.timeoutMs = () => deadline - Date.now();
      timer = setTimeout(() => {
        const error = new ConnectError("the operation timed out", Code.DeadlineExceeded);
        ctx.abort(error);
        finish(undefined, error);
      }, timeoutMs);
    }
    // A stream that closes before we answered was cancelled; once finished, its 'close' means nothing.
    stream.once("close", () => {
      if (!finished) ctx.abort(new ConnectError("client went away", Code.Canceled));
    });

    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      const before = size;
      chunks.push(chunk);
      size += chunk.length;
      if (before >= 5 || size < 5) return;
      // Refuse an oversized message from its 5-byte prefix, before buffering the rest of it.
      const length = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readUInt32BE(1);
      if (length > maxMessageBytes) finish(undefined, new ConnectError(`message size ${length} is larger than configured readMaxBytes ${maxMessageBytes}`, Code.ResourceExhausted));
    });
    stream.once("end", () => {
      if (finished) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      handle(body).then((out) => finish(out), (error: unknown) => finish(undefined, error));
    });

    const handle = async (body: Buffer): Promise<unknown> => {
      // The same protocol errors, codes and order as connect's envelope reader.
      if (body.length === 0) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
      const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
      if (length < 0 || body.length < 5 + length) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
      if (body.length > 5 + length) {
        const rest = body.length - 5 - length;
        if (rest < 5 || rest < 5 + body.readUInt32BE(5 + length + 1)) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
        throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
      }
      if ((body[0] & 1) === 1) throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
      let input;
      try {
        input = fromBinary(route.method.input, body.subarray(5));
      } catch (e) {
        // Undecodable input is the caller's fault (connect-go says InvalidArgument too; connect-es says Internal).
        throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
      }
      validate(route.method.input, input);
      const authorization = headers.authorization;
      const principal = await guard(route.path, authorization === undefined ? null : authorization, input as unknown as Record<string, unknown>);
      if (principal) ctx.values.set(principalKey, principal);
      return route.impl(input, ctx);
    };
    return true;
  };
}

type LazyContext = HandlerContext & {
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
function createLazyContext(method: DescMethod, url: string, incoming: Req["headers"], values: ContextValues): LazyContext {
  let requestHeader: Headers | undefined;
  let responseHeader: Headers | undefined;
  let responseTrailer: Headers | undefined;
  let controller: AbortController | undefined;
  let abortedWith: { reason: unknown } | undefined;
  return {
    method,
    service: method.parent,
    protocolName: "grpc",
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

/** What the call log sends: ConnectErrors (and aborts) as they are, anything else as a generic Internal. */
function sanitise(error: unknown, requestId: string): ConnectError {
  const isAbort = error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
  const err = error instanceof ConnectError || isAbort ? ConnectError.from(error) : new ConnectError(`internal error, request id ${requestId}`, Code.Internal);
  err.metadata.set(REQUEST_ID_HEADER, requestId);
  return err;
}

/** grpc-status, grpc-message and grpc-status-details-bin (google.rpc.Status), as connect's setTrailerStatus. */
function statusTrailers(err: ConnectError): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  err.metadata.forEach((value, name) => {
    if (!protocolHeader.test(name)) out[name] = value;
  });
  out["grpc-status"] = String(err.code);
  out["grpc-message"] = percentEncode(err.rawMessage);
  if (err.details.length > 0) {
    // google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
    const w = new BinaryWriter().tag(1, WireType.Varint).int32(err.code).tag(2, WireType.LengthDelimited).string(err.rawMessage);
    for (const d of err.details) {
      const [typeName, value] = "desc" in d ? [d.desc.typeName, toBinary(d.desc, create(d.desc, d.value))] : [d.type, d.value];
      w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(`type.googleapis.com/${typeName}`).tag(2, WireType.LengthDelimited).bytes(value).join();
    }
    out["grpc-status-details-bin"] = encodeBinaryHeader(w.finish());
  }
  return out;
}

/**
 * grpc-message as the gRPC spec percent-encodes it: only '%' and bytes outside printable ASCII. connect-es uses
 * encodeURIComponent, which grpc-js (decodeURI) leaves half-decoded ("service%3A …"); this reads right in both.
 */
function percentEncode(message: string): string {
  return message.replace(/[^\x20-\x24\x26-\x7e]+/g, (run) => {
    try {
      return encodeURIComponent(run);
    } catch {
      return "?"; // a lone surrogate cannot be UTF-8 encoded
    }
  });
}

/** The call-log interceptor's line, for calls the fast path served. */
export function logFastPathCall(logger: Logger): (call: FastPathCall) => void {
  return ({ line, error }) => {
    if (error === undefined) return logger.info({ ...line, code: "ok" }, "rpc");
    const isAbort = error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
    if (!(error instanceof ConnectError || isAbort)) return logger.error({ ...line, code: Code[Code.Internal], err: error }, "rpc");
    const err = ConnectError.from(error);
    const serverFault = err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
    logger[serverFault ? "error" : "info"]({ ...line, code: Code[err.code], reason: reasonOf(err), err: serverFault ? err : undefined }, "rpc");
  };
}
