// One find-my-way router over every module's plain HTTP routes. A request whose path matches a route is answered
// here (405 with Allow when only the method is wrong); any other falls through to the RPC router. Each answer
// is logged and counted like an RPC, and a handler that throws is logged and answered 500, never a crash.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import FindMyWay from "find-my-way";
import type { Logger } from "pino";
import type { ClientAddress } from "../client-address.js";
import { createBodyReader, type BodyLimits } from "./read-body.js";
import { HttpError, type HttpMethod, type HttpRoute, type RouteRequest, type RouteResponse } from "./route.js";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const methods: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

export interface ModuleRouterOptions {
  routes: HttpRoute[];
  logger: Logger;
  limits: BodyLimits;
  clientAddress: ClientAddress;
  count(route: string, method: string, code: number): void;
}

/** Returns a handler that answers and returns true when the request's path belongs to a route, else false. */
export function createModuleRouter({ routes, logger, limits, clientAddress, count }: ModuleRouterOptions): (req: Req, res: Res) => boolean {
  if (routes.length === 0) return () => false;
  const router = FindMyWay({ maxParamLength: 500 });
  // find-my-way throws on a duplicate method+path: two modules claiming one route fail the start-up, loudly.
  for (const route of routes) router.on(route.method, route.path, () => undefined, route);
  // Every RPC passes through here first: when each pattern starts with a literal segment, a path whose first
  // segment is none of them (every RPC path) is let through without asking the router five times.
  const firstSegments = routes.every((r) => /^\/[^/:*]+/.test(r.path)) ? new Set(routes.map((r) => r.path.split("/")[1])) : undefined;

  return (req, res) => {
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    if (firstSegments) {
      const end = path.indexOf("/", 1);
      if (!firstSegments.has(path.slice(1, end < 0 ? undefined : end))) return false;
    }
    const method = req.method ?? "";
    const found = methods.includes(method as HttpMethod) ? router.find(method as HttpMethod, path) : null;
    if (!found) {
      const allowed = methods.filter((m) => router.find(m, path) !== null);
      if (allowed.length === 0) return false;
      const pattern = (router.find(allowed[0]!, path)!.store as HttpRoute).path;
      const since = process.hrtime.bigint();
      finish(pattern, method, send(res, { status: 405, headers: { allow: allowed.join(", ") }, body: { error: `method ${method} not allowed; use ${allowed.join(", ")}` } }, logger), since);
      return true;
    }
    const route = found.store as HttpRoute;
    const since = process.hrtime.bigint();
    const request: RouteRequest = {
      params: Object.fromEntries(Object.entries(found.params).filter((e): e is [string, string] => e[1] !== undefined)),
      query: Object.fromEntries(new URLSearchParams(mark < 0 ? "" : url.slice(mark + 1))),
      headers: headersOf(req),
      clientAddress: clientAddress(req),
      readBody: createBodyReader(req, limits),
    };
    route.handler(request).then(
      (response) => {
        finish(route.path, method, send(res, response, logger), since);
      },
      (error: unknown) => {
        if (error instanceof HttpError) {
          return finish(route.path, method, send(res, { status: error.status, body: { error: error.message } }, logger), since);
        }
        logger.error({ err: error, method, route: route.path }, "http route failed");
        finish(route.path, method, send(res, { status: 500, body: { error: "internal error" } }, logger), since);
      },
    );
    return true;
  };

  function finish(route: string, method: string, status: number, since: bigint) {
    const durationMs = Number(process.hrtime.bigint() - since) / 1e6;
    logger.info({ method, route, status, durationMs: Math.round(durationMs * 1000) / 1000 }, "http");
    count(route, method, status);
  }
}

function headersOf(req: Req): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":")) continue; // HTTP/2 pseudo-headers are the request line, not headers
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Writes the answer; returns the status the peer got. */
function send(out: Res, { status, headers = {}, body }: RouteResponse, logger: Logger): number {
  // Both response kinds share this part of the API; TypeScript cannot call a union of overloads.
  const res = out as ServerResponse;
  if (res.headersSent || res.destroyed) return status;
  try {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const named = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (payload && !Buffer.isBuffer(body)) named["content-type"] ??= "application/json";
    if (payload) named["content-length"] = String(payload.length);
    res.writeHead(status, named);
    res.end(payload);
    return status;
  } catch (error) {
    logger.error({ err: error, status }, "http route answer could not be written");
    // A body JSON cannot encode (a cycle, a BigInt) or a header node refuses: the peer gets a bare 500.
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    } else res.destroy();
    return 500;
  }
}
