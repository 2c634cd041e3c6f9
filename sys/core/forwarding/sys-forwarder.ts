// A mod-only process answers every client through one URL: calls to sys services (and the JWKS) are relayed to
// sys over one HTTP/2 session, whatever protocol they came in (gRPC on h2, gRPC-Web and Connect on HTTP/1.1 or
// h2c, unary or streaming). The relay is byte for byte: headers, messages, trailers and errors as sys sent them,
// deadlines and metadata as the caller sent them, each direction piped with backpressure and never buffered
// whole. A caller that goes away resets the upstream stream; a sys that cannot be reached is UNAVAILABLE
// (SYS_UNAVAILABLE) in the caller's protocol. sys runs its own pipeline (validation, guard, rate limits,
// call log) on what arrives, so mod adds none of its own to these calls.
import type { ServerResponse } from "node:http";
import http2, { type ClientHttp2Stream, type Http2ServerResponse, type IncomingHttpHeaders } from "node:http2";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { startForwardSpan } from "../tracing/forward-span.js";
import { answerError, sysUnreachable } from "./unavailable.js";
import { type ForwardedRequest, outgoingHeaders } from "./outgoing-headers.js";
import { ROUTES, type Route, tierOf } from "./routing-table.js";
import { createSysSession, type SysSessionOptions } from "./sys-session.js";

type Res = ServerResponse | Http2ServerResponse;

export interface SysForwarder {
  /** Forwards the request when sys serves its path and returns true; false leaves it to the caller. */
  handle(req: ForwardedRequest, res: Res): boolean;
  close(): Promise<void>;
}

export interface SysForwarderOptions extends SysSessionOptions {
  /** Which paths go to sys (default: the routing table's sys entries). */
  routes?: readonly Route[];
  /** When tracing is on: a client span per relayed call, its context sent to sys. */
  tracer?: Tracer;
}

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = http2.constants;
// Response fields that describe sys's connection to mod, not mod's to the caller.
const notRelayed = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
// CORS is the front door's decision (mod's corsAllowedOrigins, already on the response): sys's is never relayed.
const cors = /^access-control-/;

export function createSysForwarder(options: SysForwarderOptions): SysForwarder {
  const { logger, routes = ROUTES } = options;
  const target = new URL(options.sysUrl);
  const session = createSysSession(options);

  function forward(req: ForwardedRequest, res: Res) {
    const span = options.tracer && startForwardSpan(options.tracer, req, res, target);
    let upstream: ClientHttp2Stream;
    try {
      upstream = session.get().request(span ? span.inject(outgoingHeaders(req, target)) : outgoingHeaders(req, target));
    } catch (error) {
      return unavailable(error);
    }
    span?.watch(upstream);
    let responded = false;
    let done = false; // sys's answer was relayed whole

    function unavailable(error: unknown) {
      if (res.destroyed) return; // the caller left first: nobody to tell
      logger.warn({ err: error, path: req.url }, "could not forward a call to sys");
      answerError(req, res, sysUnreachable());
    }

    upstream.on("response", (headers: IncomingHttpHeaders, flags: number) => {
      responded = true;
      if (res.writableEnded || res.destroyed) return;
      res.statusCode = Number(headers[":status"]);
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined || name.startsWith(":") || notRelayed.has(name) || cors.test(name)) continue;
        // mod's "Vary: Origin" stays, with whatever sys's answer varies on.
        const prior = name === "vary" ? res.getHeader("vary") : undefined;
        res.setHeader(name, prior ? `${String(prior)}, ${String(value)}` : value);
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
      for (const [name, value] of Object.entries(trailers)) if (value !== undefined && !name.startsWith(":")) relayed[name] = value;
      res.addTrailers(relayed);
    });
    upstream.once("end", () => (done = true));
    upstream.on("error", (error) => {
      if (done) return;
      if (!responded) return unavailable(error);
      logger.debug({ err: error, path: req.url }, "sys stream failed mid-answer");
      cut(res);
    });
    upstream.once("close", () => {
      if (done || res.writableEnded || res.destroyed) return;
      // Reset by sys (or its connection lost) without an error event: before its answer that is unreachable,
      // during it the caller's stream is cut as sys cut its own.
      if (!responded) return unavailable(new Error(`sys reset the stream (code ${upstream.rstCode})`));
      if (upstream.rstCode !== NGHTTP2_NO_ERROR) cut(res);
    });

    // The caller went away (stream reset, connection closed) before sys finished: sys stops too.
    res.once("close", () => {
      if (!done && !upstream.destroyed) upstream.close(NGHTTP2_CANCEL);
    });
    req.once("aborted", () => {
      if (!done && !upstream.destroyed) upstream.close(NGHTTP2_CANCEL);
    });
    req.pipe(upstream);
  }

  return {
    handle(req, res) {
      if (tierOf(req.url ?? "/", routes) !== "sys") return false;
      forward(req, res);
      return true;
    },
    close: () => session.close(),
  };
}

/** Cuts a response under way: an HTTP/2 stream is reset, an HTTP/1.1 connection closed. */
function cut(res: Res) {
  const stream = (res as Http2ServerResponse).stream;
  if (stream) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  else res.destroy();
}
