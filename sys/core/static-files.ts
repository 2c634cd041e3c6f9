// Serves the built web GUI (web/dist) through sirv: the file list, ETags and Last-Modified are read once at
// start-up (no filesystem call per request besides the read), ranges and the precompressed .br/.gz files that
// `npm run prepare` writes next to the bundle are served as the client accepts them. Unknown paths outside
// /assets are client-side routes and get index.html. A path that does not decode is a 400, never a throw.
// The bundle is read at start-up: rebuilding web/dist under a running server needs a restart. Every answer,
// 404s included, carries the security headers of web-headers.ts.
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { join, resolve } from "node:path";
import sirv from "sirv";
import { cacheControlFor, setWebSecurityHeaders } from "./web-headers.js";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const fallbackPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Polity</title></head>
<body><h1>Polity</h1><p>The web GUI is not built. Run <code>npm run build:web</code>.</p></body></html>`;
// The single range sirv handles correctly ("bytes=start-" or "bytes=start-end", start <= end).
const singleRange = /^bytes=(\d{1,15})-(\d{0,15})$/;

/** Answers GET/HEAD for the GUI (true), or returns false for the caller's 404. */
export function createStaticFiles(root: string): (req: Req, res: Res) => boolean {
  const base = resolve(root);
  const built = existsSync(join(base, "index.html"));
  // sirv lists the directory at once, and throws when there is none (a build made without the GUI).
  const serve = !existsSync(base) ? (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next() : sirv(base, {
    dev: false,
    etag: true,
    gzip: true,
    brotli: true,
    single: true,
    // Hashed bundle files are real 404s when missing; everything else without an extension is a client route.
    ignores: ["^/assets/"],
  });
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    setWebSecurityHeaders(req, res);
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const pathname = query < 0 ? url : url.slice(0, query);
    if (!wellFormed(pathname)) {
      (res as ServerResponse).writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end("bad request path\n");
      return true;
    }
    const range = req.headers.range;
    if (range !== undefined) {
      // Ranges sirv would misread (multiple, suffix, reversed) are ignored: the whole file is a valid answer.
      const parts = singleRange.exec(range);
      if (!parts || (parts[2] !== "" && Number(parts[2]) < Number(parts[1]))) delete req.headers.range;
    }
    // Set before sirv runs so its 304s carry it too (client routes get index.html: not hashed, so no-cache).
    res.setHeader("cache-control", cacheControlFor(pathname));
    keepValidatorsOn304(req, res);
    let missed = false;
    serve(req as IncomingMessage, res as ServerResponse, () => void (missed = true));
    if (!missed) return true;
    // A 404 must not be cached: during a rollout the file may be on the next replica.
    res.removeHeader("cache-control");
    if (built || pathname.startsWith("/assets/")) return false;
    (res as ServerResponse).writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    if (req.method === "HEAD") res.end();
    else res.end(fallbackPage);
    return true;
  };
}

/**
 * sirv answers 304 with no headers of its own, but a 304 must repeat the ETag and Vary a 200 would carry (RFC 9110
 * 15.4.5), or caches keyed on them misbehave. sirv answers 304 only when If-None-Match equals the file's ETag
 * exactly, so that value is the ETag to repeat (and, being equal to sirv's own, a valid header value).
 */
function keepValidatorsOn304(req: Req, res: Res): void {
  const ifNoneMatch = req.headers["if-none-match"];
  if (!ifNoneMatch) return;
  const response = res as ServerResponse;
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status === 304) {
      response.setHeader("etag", ifNoneMatch);
      response.setHeader("vary", "Accept-Encoding");
    }
    return writeHead(status, ...rest);
  }) as ServerResponse["writeHead"];
}

function wellFormed(pathname: string): boolean {
  if (pathname[0] !== "/" || pathname.startsWith("//") || pathname.includes("\0")) return false;
  if (!pathname.includes("%")) return true;
  try {
    return !decodeURIComponent(pathname).includes("\0");
  } catch {
    return false;
  }
}
