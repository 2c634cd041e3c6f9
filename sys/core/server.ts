// The one port: gRPC (h2c), gRPC-Web and Connect (HTTP/1.1 and h2c) through connect-node, plus /metrics,
// the JWKS and the web GUI. TLS when certificates are configured. Draining on stop: stop accepting, let
// in-flight calls finish up to the grace period, then cut what is left.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { createCors } from "./cors.js";

type Req = IncomingMessage | http2.Http2ServerRequest;
type Res = ServerResponse | http2.Http2ServerResponse;
export type HttpRoute = (req: Req, res: Res) => Promise<void> | void;

export interface ServerOptions {
  config: Config;
  logger: Logger;
  // Exact-path GET routes (metrics, JWKS) answered before the RPC router.
  routes: Record<string, HttpRoute>;
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
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const handler = (req: Req, res: Res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    const corsDecision = cors(req.method, req.headers);
    if (corsDecision) {
      for (const [name, value] of Object.entries(corsDecision.headers)) res.setHeader(name, value);
      if (corsDecision.preflight) {
        res.statusCode = 204;
        res.end();
        return;
      }
    }
    const path = (req.url ?? "/").split("?")[0];
    const route = req.method === "GET" ? routes[path] : undefined;
    if (!route) return rpc(req, res);
    Promise.resolve(route(req, res)).catch((error: unknown) => {
      logger.error({ err: error, path }, "http route failed");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
  const settings = { maxConcurrentStreams: config.maxConcurrentStreams };
  const tls = config.tlsCert && config.tlsKey;
  const sessions = new Set<http2.Http2Session>();
  const sockets = new Set<Socket>();
  let server: net.Server;
  let h2: http2.Http2Server;
  if (tls) {
    // ALPN picks h2 or HTTP/1.1.
    h2 = http2.createSecureServer({ allowHTTP1: true, settings, cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) }, handler);
    server = h2;
  } else {
    // Cleartext has no ALPN and node's allowHTTP1 only works with TLS: sniff the HTTP/2 connection preface
    // ("PRI * HTTP/2.0") and hand each connection to the h2c or the HTTP/1.1 server, both with one handler.
    h2 = http2.createServer({ settings }, handler);
    const h1 = http.createServer({ keepAliveTimeout: 5000 }, handler as never);
    server = net.createServer((socket) => {
      socket.once("data", (first) => {
        socket.pause();
        socket.unshift(first);
        const preface = first.toString("latin1", 0, Math.min(first.length, 4));
        (preface === "PRI " ? h2 : h1).emit("connection", socket);
        process.nextTick(() => socket.resume());
      });
    });
  }
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? "https" : "http"}://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${port}`;
  return {
    port,
    url,
    async drain(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
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
