// Timeouts and caps of the one port, so that idle or slow peers cannot hold sockets, sessions or request
// bodies open forever: a first-byte (and HTTP/2 preface) timeout for new connections, header and request
// timeouts on HTTP/1.1, an idle timeout for HTTP/2 sessions without streams, a deadline for HTTP/2 request
// bodies, and draining (past a budget: closing) the inbound side of a request the server has already answered.
// Server-streaming calls are never cut: once their request body is complete only the client decides when they end.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import http2 from "node:http2";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { Config } from "./config.js";

type Req = IncomingMessage | http2.Http2ServerRequest;
type Res = ServerResponse | http2.Http2ServerResponse;
type Limits = Pick<Config, "firstByteTimeoutMs" | "headersTimeoutMs" | "requestBodyTimeoutMs" | "idleTimeoutMs" | "maxMessageBytes">;

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;
const drainBytes = 256 * 1024;
const drainMs = 500;
const h2DrainMs = 1000;

export function createConnectionLimits(config: Limits, logger: Logger) {
  const { firstByteTimeoutMs, headersTimeoutMs, requestBodyTimeoutMs, idleTimeoutMs } = config;
  // Any body that could have been a legal request is read to its end: one envelope of the largest size.
  const h2DrainBytes = Math.max(drainBytes, config.maxMessageBytes + 5);
  /**
   * An HTTP/2 request answered before its body was read: read the rest and drop it, and reset the stream
   * (NO_ERROR: the answer is complete) only once it goes past h2DrainBytes or h2DrainMs. A reset (ours, or the
   * one node sends by itself for a stream nobody read) costs a node client its session: node never releases
   * the memory of a body it had queued for a stream the peer reset, and refuses every new stream
   * (ENHANCE_YOUR_CALM) once 10 MB of such bodies piled up. Runs on 'finish', before node's own listener.
   */
  const drainH2 = (req: http2.Http2ServerRequest, stream: http2.ServerHttp2Stream) => {
    let read = 0;
    let cutting = false;
    const cut = () => {
      clearTimeout(timer);
      if (cutting || stream.destroyed || bodyDone(stream)) return;
      cutting = true;
      logger.debug("answered request body still coming; stream reset");
      // Never before the trailers are out: a reset would drop them, and compat responses send theirs on
      // 'wantTrailers', after 'finish'.
      const reset = () => setImmediate(() => bodyDone(stream) || stream.close(NGHTTP2_NO_ERROR));
      if (stream.sentTrailers !== undefined || stream.state.localClose === 1) reset();
      else stream.once("wantTrailers", reset);
    };
    const timer = setTimeout(cut, h2DrainMs).unref();
    stream.once("close", () => clearTimeout(timer));
    stream.on("data", (chunk: Buffer) => {
      read += chunk.length;
      if (read > h2DrainBytes) cut();
    });
    // Whoever read it before (connect-node, a fast path) has let go: the bytes are dropped. A stream that is
    // flowing is also one node does not reset by itself.
    req.resume();
    stream.resume();
  };
  let lastDropLog = 0;
  const silent = (socket: Socket) => {
    logger.debug({ peer: socket.remoteAddress }, "connection sent nothing in time; closed");
    socket.destroy();
  };
  const silentListener = new WeakMap<Socket, () => void>();
  // HTTP/2 streams whose request body has not ended yet, by start time; one sweep per server instead of a
  // timer per call. A server-streaming call leaves this map as soon as its one request message is in.
  const unfinished = new Map<http2.ServerHttp2Stream, number>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [stream, since] of unfinished) {
      if (bodyDone(stream)) unfinished.delete(stream);
      else if (now - since > requestBodyTimeoutMs) {
        unfinished.delete(stream);
        logger.debug("request body not complete in time; stream reset");
        stream.close(NGHTTP2_CANCEL);
      }
    }
  };

  return {
    http1Options: {
      keepAliveTimeout: 5000,
      // node refuses a header timeout longer than the request timeout.
      headersTimeout: Math.min(headersTimeoutMs, requestBodyTimeoutMs),
      requestTimeout: requestBodyTimeoutMs,
      // How often node looks for requests past those timeouts (its default, 30 s, would let them run long).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },

    /** node starts the header/request timeout checker on 'listening'; this server never listens itself (the sniffer hands it sockets). */
    trackHttp1(h1: HttpServer) {
      h1.emit("listening");
    },

    awaitFirstByte(socket: Socket) {
      const onTimeout = () => silent(socket);
      silentListener.set(socket, onTimeout);
      socket.setTimeout(firstByteTimeoutMs, onTimeout);
    },

    firstByteSeen(socket: Socket) {
      socket.setTimeout(0);
      const onTimeout = silentListener.get(socket);
      if (onTimeout) socket.off("timeout", onTimeout);
    },

    session(session: http2.ServerHttp2Session) {
      let open = 0;
      session.on("error", (error) => logger.debug({ err: error }, "http2 session error"));
      session.on("stream", (stream) => {
        open++;
        if (!stream.endAfterHeaders) unfinished.set(stream, Date.now());
        stream.once("close", () => {
          open--;
          unfinished.delete(stream);
        });
        stream.on("error", (error) => logger.debug({ err: error }, "http2 stream error"));
      });
      sweeper ??= setInterval(sweep, Math.max(50, Math.min(1000, Math.floor(requestBodyTimeoutMs / 4)))).unref();
      const onIdle = () => {
        if (session.destroyed || session.closed) return;
        // Streams are timed by the sweep (unfinished bodies) or not at all; a session with one open is not idle.
        if (open > 0) return void session.setTimeout(idleTimeoutMs, onIdle);
        logger.debug("idle http2 session closed");
        session.close();
        setTimeout(() => session.destroy(), 1000).unref();
      };
      // Until the client's preface and SETTINGS arrived, the first-byte timeout applies.
      session.setTimeout(firstByteTimeoutMs, onIdle);
      session.once("remoteSettings", () => session.setTimeout(idleTimeoutMs, onIdle));
    },

    /** Per request: stop reading a body the server has already answered. */
    request(req: Req, res: Res) {
      const stream = (req as http2.Http2ServerRequest).stream;
      if (!stream) {
        const incoming = req as IncomingMessage;
        const socket = incoming.socket; // captured now: it may be detached from the request by the time the answer is out
        res.once("finish", () => {
          if (incoming.complete || !socket) return;
          // As Go's net/http: a keep-alive client still sending a small body the server has already answered keeps
          // its connection if the rest stays under drainBytes and arrives within drainMs; past either the
          // connection closes. The parser drops what comes (node's own req._dump), whoever was reading.
          (incoming as IncomingMessage & { _dumped?: boolean })._dumped = true;
          socket.resume();
          const since = Date.now();
          const start = socket.bytesRead;
          const watch = setInterval(() => {
            if (incoming.complete || socket.destroyed) return void clearInterval(watch);
            if (socket.bytesRead - start <= drainBytes && Date.now() - since <= drainMs) return;
            clearInterval(watch);
            socket.destroySoon();
          }, 10);
          watch.unref();
        });
        return;
      }
      if (stream.endAfterHeaders) return;
      stream.once("finish", () => bodyDone(stream) || drainH2(req as http2.Http2ServerRequest, stream));
    },

    close() {
      clearInterval(sweeper);
    },

    dropped() {
      const now = Date.now();
      if (now - lastDropLog < 10_000) return;
      lastDropLog = now;
      logger.warn("connection limit reached; new connections are closed at once");
    },
  };
}

function bodyDone(stream: http2.ServerHttp2Stream): boolean {
  return stream.destroyed || stream.readableEnded || stream.state?.remoteClose === 1;
}
