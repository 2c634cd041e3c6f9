// The relay behind every forwarder: a call this process does not serve goes to the process that does (sys, or
// another module's) over one HTTP/2 session, whatever protocol it came in (gRPC on h2, gRPC-Web and Connect on
// HTTP/1.1 or h2c, unary or streaming). It is byte for byte: headers, messages, trailers and errors as the
// upstream sent them, deadlines and metadata as the caller sent them, each direction piped with backpressure and
// never buffered whole. A caller that goes away resets the upstream stream; an upstream that cannot be reached
// is UNAVAILABLE in the caller's protocol. The upstream runs its own pipeline (validation, guard, rate limits,
// call log) on what arrives, so the relaying process adds none of its own to these calls.
import type { ServerResponse } from "node:http";
import http2, { type ClientHttp2Stream, type Http2ServerResponse, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import type { Tracer } from "@opentelemetry/api";
import { startForwardSpan } from "../tracing/forward-span.js";
import { answerError } from "./unavailable.js";
import { type ForwardedRequest, outgoingHeaders } from "./outgoing-headers.js";
import { createUpstreamSession, type UpstreamSessionOptions } from "./upstream-session.js";

export type Res = ServerResponse | Http2ServerResponse;

export interface Relay {
  forward(req: ForwardedRequest, res: Res): void;
  close(): Promise<void>;
}

export interface RelayOptions extends UpstreamSessionOptions {
  /** The error a caller gets when the upstream cannot be reached. */
  unreachable(): ConnectError;
  /** Headers added to every relayed request. */
  extraHeaders?: OutgoingHttpHeaders;
  /** When tracing is on: a client span per relayed call, its context sent upstream. */
  tracer?: Tracer;
}

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = http2.constants;
// Response fields that describe the upstream's connection to this process, not this process's to the caller.
const notRelayed = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
// CORS is the front door's decision (this process's corsAllowedOrigins, already on the response): the upstream's is never relayed.
const cors = /^access-control-/;

export function createRelay(options: RelayOptions): Relay {
  const { logger, name } = options;
  const target = new URL(options.url);
  const session = createUpstreamSession(options);

  function forward(req: ForwardedRequest, res: Res) {
    const span = options.tracer && startForwardSpan(options.tracer, req, res, target);
    let upstream: ClientHttp2Stream;
    try {
      const headers = { ...outgoingHeaders(req, target), ...options.extraHeaders };
      upstream = session.get().request(span ? span.inject(headers) : headers);
    } catch (error) {
      return unavailable(error);
    }
    span?.watch(upstream);
    let responded = false;
    let done = false; // the upstream's answer was relayed whole

    function unavailable(error: unknown) {
      if (res.destroyed) return; // the caller left first: nobody to tell
      logger.warn({ err: error, path: req.url }, `could not forward a call to ${name}`);
      answerError(req, res, options.unreachable());
    }

    upstream.on("response", (headers: IncomingHttpHeaders, flags: number) => {
      responded = true;
      if (res.writableEnded || res.destroyed) return;
      res.statusCode = Number(headers[":status"]);
      for (const [field, value] of Object.entries(headers)) {
        if (value === undefined || field.startsWith(":") || notRelayed.has(field) || cors.test(field)) continue;
        // This process's "Vary: Origin" stays, with whatever the upstream's answer varies on.
        const prior = field === "vary" ? res.getHeader("vary") : undefined;
        res.setHeader(field, prior ? `${String(prior)}, ${String(value)}` : value);
      }
      if (flags & NGHTTP2_FLAG_END_STREAM) {
        // gRPC trailers-only: end() without a prior writeHead sends the one HEADERS frame with END_STREAM.
        done = true;
        return void res.end();
      }
      // A stream's headers go out before its first message (HTTP/2 writeHead sends them, HTTP/1.1 needs a flush).
      (res as ServerResponse).writeHead(res.statusCode);
      if (!(res as Http2ServerResponse).stream) (res as ServerResponse).flushHeaders();
      upstream.pipe(res as NodeJS.WritableStream);
    });
    upstream.on("trailers", (trailers: IncomingHttpHeaders) => {
      const relayed: Record<string, string | string[]> = {};
      for (const [field, value] of Object.entries(trailers)) if (value !== undefined && !field.startsWith(":")) relayed[field] = value;
      res.addTrailers(relayed);
    });
    upstream.once("end", () => (done = true));
    upstream.on("error", (error) => {
      if (done) return;
      if (!responded) return unavailable(error);
      logger.debug({ err: error, path: req.url }, `${name} stream failed mid-answer`);
      cut(res);
    });
    upstream.once("close", () => {
      if (done || res.writableEnded || res.destroyed) return;
      // Reset by the upstream (or its connection lost) without an error event: before its answer that is
      // unreachable, during it the caller's stream is cut as the upstream cut its own.
      if (!responded) return unavailable(new Error(`${name} reset the stream (code ${upstream.rstCode})`));
      if (upstream.rstCode !== NGHTTP2_NO_ERROR) cut(res);
    });

    // The caller went away (stream reset, connection closed) before the upstream finished: the upstream stops too.
    res.once("close", () => {
      if (!done && !upstream.destroyed) upstream.close(NGHTTP2_CANCEL);
    });
    req.once("aborted", () => {
      if (!done && !upstream.destroyed) upstream.close(NGHTTP2_CANCEL);
    });
    req.pipe(upstream);
  }

  return { forward, close: () => session.close() };
}

/** Cuts a response under way: an HTTP/2 stream is reset, an HTTP/1.1 connection closed. */
function cut(res: Res) {
  const stream = (res as Http2ServerResponse).stream;
  if (stream) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  else res.destroy();
}
