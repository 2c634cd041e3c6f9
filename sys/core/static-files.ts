// Serves the built web GUI (web/dist) with an index.html fallback for client-side routes.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { extname, join, normalize, resolve } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json", ".woff2": "font/woff2",
};

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const fallbackPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Polity</title></head>
<body><h1>Polity</h1><p>The web GUI is not built. Run <code>npm run build:web</code>.</p></body></html>`;

export function createStaticFiles(root: string) {
  const base = resolve(root);
  return (req: Req, res: Res): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = new URL(req.url ?? "/", "http://x");
    let file = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!file.startsWith(base)) return false;
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // Unknown paths under /assets are real 404s; everything else is a client-side route.
      if (url.pathname.startsWith("/assets/")) return false;
      file = join(base, "index.html");
    }
    if (!existsSync(file)) {
      (res as ServerResponse).writeHead(200, { "content-type": types[".html"] });
      res.end(fallbackPage);
      return true;
    }
    const immutable = url.pathname.startsWith("/assets/");
    (res as ServerResponse).writeHead(200, {
      "content-type": types[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res as ServerResponse);
    return true;
  };
}
