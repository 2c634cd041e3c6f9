// The headers every web GUI response carries: a Content-Security-Policy that allows only the bundle's own files,
// no framing, no sniffing, no referrer, and HSTS when the connection itself is TLS. And the cache policy: files
// whose name holds vite's content hash never change (cached for a year), everything else is revalidated.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  // The GUI sets style="" attributes (bar widths in results, one-off layout), which CSP counts as inline styles.
  // style-src-elem keeps stylesheets and <style> to the bundle's own files in current browsers; only attributes
  // fall back to style-src's 'unsafe-inline'. Scripts stay strict.
  "style-src 'self' 'unsafe-inline'",
  "style-src-elem 'self'",
  "img-src 'self' data:",
  // The GUI calls only the server that served it (Connect at location.origin).
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const fixedHeaders: Record<string, string> = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

// A year: browsers only revisit a site's HSTS setting when it runs out.
const strictTransportSecurity = "max-age=31536000";

/** Sets the security headers on a GUI response (before anything is written). */
export function setWebSecurityHeaders(req: Req, res: Res): void {
  for (const [name, value] of Object.entries(fixedHeaders)) res.setHeader(name, value);
  // Only on TLS this process terminates: over plain HTTP the header is ignored, and behind a TLS proxy the proxy
  // knows whether every name under it is served over TLS.
  if ((req.socket as { encrypted?: boolean } | null)?.encrypted) res.setHeader("strict-transport-security", strictTransportSecurity);
}

// vite names bundle files <name>-<hash>.<ext> under assets/, the hash 8 characters of base64url.
const hashedAsset = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export function cacheControlFor(pathname: string): string {
  return hashedAsset.test(pathname) ? "public, max-age=31536000, immutable" : "no-cache";
}
