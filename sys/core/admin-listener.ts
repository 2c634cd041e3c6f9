// The admin listener: `/metrics`, `/healthz` and `/readyz` on their own address and port (adminHost:adminPort),
// apart from the public port, so that scrapes and probes stay inside the platform's network. Plain HTTP (no
// TLS, no CORS), GET only, a few fixed paths; it runs on the public port's server machinery, so the same header,
// body and idle timeouts apply, under a small connection cap of its own.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { type GetRoute, type RunningServer, startServer } from "./server.js";

/** Scrapers and probes open a handful of connections; anything past this is closed at once. */
const ADMIN_MAX_CONNECTIONS = 32;

export interface AdminListenerOptions {
  config: Config;
  logger: Logger;
  /** Exact-path GET routes: /metrics, /healthz, /readyz. */
  routes: Record<string, GetRoute>;
}

export async function startAdminListener({ config, logger, routes }: AdminListenerOptions): Promise<RunningServer> {
  const known = new Set(Object.keys(routes));
  const adminConfig: Config = {
    ...config,
    port: config.adminPort,
    host: config.adminHost,
    tlsCert: undefined,
    tlsKey: undefined,
    corsAllowedOrigins: [],
    maxConnections: Math.min(config.maxConnections, ADMIN_MAX_CONNECTIONS),
  };
  return startServer({
    config: adminConfig,
    logger: logger.child({ listener: "admin" }),
    routes,
    // Everything the route table does not answer: another method on a known path, or an unknown path.
    rpc(req, res) {
      const url = req.url ?? "/";
      const query = url.indexOf("?");
      const path = query < 0 ? url : url.slice(0, query);
      const wrongMethod = known.has(path);
      res.statusCode = wrongMethod ? 405 : 404;
      if (wrongMethod) res.setHeader("allow", "GET");
      res.setHeader("content-type", "text/plain");
      res.end(wrongMethod ? "method not allowed\n" : "not found\n");
    },
  });
}

/** The public port's /metrics: a 404 that says where the metrics went (rather than the web GUI's page). */
export const metricsElsewhere: GetRoute = (_req, res) => {
  res.statusCode = 404;
  res.setHeader("content-type", "text/plain");
  res.end("not found: /metrics is served on the admin listener (adminPort)\n");
};
