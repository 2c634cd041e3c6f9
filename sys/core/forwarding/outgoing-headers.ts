// The headers of a request forwarded to sys: the caller's own (metadata, credentials, deadlines, content type)
// without the hop-by-hop ones, HTTP/2 pseudo-headers for the upstream stream, and the caller's address appended
// to x-forwarded-for, which sys believes only from peers listed in its trustedProxies (client-address.ts).
// Tracing adds its context here too: this is the one place a forwarded request's headers are made.
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest, OutgoingHttpHeaders } from "node:http2";

export type ForwardedRequest = IncomingMessage | Http2ServerRequest;

// RFC 9110 7.6.1 connection-specific fields; HTTP/2 refuses them (RFC 9113 8.2.2). `host` becomes :authority;
// `expect: 100-continue` was already answered by mod's HTTP/1.1 server.
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "te", "host", "trailer", "expect"]);

export function outgoingHeaders(req: ForwardedRequest, target: URL): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ":method": req.method ?? "GET",
    ":path": req.url ?? "/",
    ":scheme": target.protocol === "https:" ? "https" : "http",
    ":authority": (req.headers[":authority"] as string | undefined) ?? req.headers.host ?? target.host,
  };
  // Fields a Connection header names are hop-by-hop too.
  const named = String(req.headers.connection ?? "").toLowerCase().split(",").map((s) => s.trim());
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":") || hopByHop.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  // gRPC needs "te: trailers" (the only value HTTP/2 allows).
  if (/\btrailers\b/i.test(String(req.headers.te ?? ""))) out.te = "trailers";
  const peer = req.socket?.remoteAddress;
  if (peer) {
    const prior = req.headers["x-forwarded-for"];
    out["x-forwarded-for"] = [...(Array.isArray(prior) ? prior : prior ? [prior] : []), peer].join(", ");
  }
  return out;
}
