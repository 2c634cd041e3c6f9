// The one port: gRPC (h2c), gRPC-Web and Connect (HTTP/1.1 and h2c) through connect-node, plus /metrics,
// the JWKS and the web GUI. TLS when certificates are configured. Draining on stop: stop accepting, let
// in-flight calls finish up to the grace period, then cut what is left.
// Nothing a peer does may take the process down or hold resources forever: every socket, session and stream
// has an error listener, a throwing handler is logged and answered, and connections are capped and timed out
// (see connection-limits.ts).
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { createConnectionLimits } from "./connection-limits.js";
import { createCors } from "./cors.js";

type Req = IncomingMessage | http2.Http2ServerRequest;
type Res = ServerResponse | http2.Http2ServerResponse;
export type GetRoute = (req: Req, res: Res) => Promise<void> | void;

export interface ServerOptions {
  config: Config;
  logger: Logger;
  // Exact-path GET routes (metrics, JWKS) answered before the RPC router.
  routes: Record<string, GetRoute>;
  rpc: (req: Req, res: Res) => void;
}

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting, waits for in-flight requests up to `graceMs`, then closes every connection. */
  drain(graceMs: number): Promise<void>;
}

export async function startServer({ config, logger, routes, rpc }: ServerOptions): Promise<RunningServer> {
  const cors = createCors(config.corsAllowedOrigins);
  // A Map: a path like "/constructor" or "__proto__" must never find an Object.prototype member.
  const routeTable = new Map(Object.entries(routes));
  const limits = createConnectionLimits(config, logger);
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const fail = (error: unknown, res: Res, what: string) => {
    logger.error({ err: error }, what);
    try {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    } catch {
      res.destroy();
    }
  };
  const handler = (req: Req, res: Res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    limits.request(req, res);
    try {
      const corsDecision = cors(req.method, req.headers);
      if (corsDecision) {
        for (const [name, value] of Object.entries(corsDecision.headers)) res.setHeader(name, value);
        if (corsDecision.preflight) {
          res.statusCode = 204;
          res.end();
          return;
        }
      }
      const url = req.url ?? "/";
      const query = url.indexOf("?");
      const route = req.method === "GET" ? routeTable.get(query < 0 ? url : url.slice(0, query)) : undefined;
      if (!route) return rpc(req, res);
      Promise.resolve(route(req, res)).catch((error: unknown) => fail(error, res, "http route failed"));
    } catch (error) {
      fail(error, res, "request handler threw");
    }
  };
  const settings = { maxConcurrentStreams: config.maxConcurrentStreams };
  const tls = config.tlsCert && config.tlsKey;
  const sessions = new Set<http2.Http2Session>();
  const sockets = new Set<Socket>();
  let server: net.Server;
  let h2: http2.Http2Server;
  let h1: http.Server | undefined;
  if (tls) {
    // ALPN picks h2 or HTTP/1.1.
    const options = { allowHTTP1: true, settings, handshakeTimeout: config.firstByteTimeoutMs, cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) };
    h2 = http2.createSecureServer(options, handler);
    h2.on("tlsClientError", (error) => logger.debug({ err: error }, "tls handshake failed"));
    // node's HTTP/1.1-over-TLS fallback reads these from the server (its defaults: 60 s headers, 5 min request).
    Object.assign(h2, limits.http1Options);
    server = h2;
  } else {
    // Cleartext has no ALPN and node's allowHTTP1 only works with TLS: sniff the HTTP/2 connection preface
    // ("PRI * HTTP/2.0") and hand each connection to the h2c or the HTTP/1.1 server, both with one handler.
    h2 = http2.createServer({ settings }, handler);
    h1 = http.createServer(limits.http1Options, handler as never);
    limits.trackHttp1(h1);
    const plain = h1;
    server = net.createServer((socket) => {
      limits.awaitFirstByte(socket);
      socket.once("data", (first) => {
        limits.firstByteSeen(socket);
        socket.pause();
        socket.unshift(first);
        const preface = first.toString("latin1", 0, Math.min(first.length, 4));
        (preface === "PRI " ? h2 : plain).emit("connection", socket);
        process.nextTick(() => socket.resume());
      });
    });
  }
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    limits.session(session);
  });
  server.maxConnections = config.maxConnections;
  server.on("drop", () => limits.dropped());
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A reset before (or after) the first byte is the peer's business, never an uncaught 'error'.
    socket.on("error", (error) => logger.debug({ err: error }, "connection error"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  server.on("error", (error) => logger.error({ err: error }, "listener error"));
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? "https" : "http"}://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${port}`;
  return {
    port,
    url,
    async drain(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      h1?.close(); // stops its header/request timeout checker
      limits.close();
      // GOAWAY: clients stop opening streams on these connections, open streams run to their end.
      for (const session of sessions) session.close();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      }
      if (inFlight > 0) logger.warn({ inFlight }, "shutdown grace period over; cutting remaining calls");
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
