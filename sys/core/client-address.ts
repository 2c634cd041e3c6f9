// The address a call comes from, as the rate limits and the audit see it: the socket's peer, unless that peer
// is a proxy listed in `trustedProxies` (a mod replica forwarding sys calls, a gateway). Then x-forwarded-for
// is read from the right, each hop vouched for by the one after it, up to the first address that is not a
// trusted proxy (proxy-addr, as Express's "trust proxy"). With no trusted proxies the header is ignored, so a
// caller cannot pick its own address.
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import proxyAddr from "proxy-addr";
import type { Config } from "./config.js";

export type ClientAddress = (req: IncomingMessage | Http2ServerRequest) => string;

export function createClientAddress(config: Config): ClientAddress {
  const peer = (req: IncomingMessage | Http2ServerRequest) => req.socket?.remoteAddress ?? "";
  if (config.trustedProxies.length === 0) return peer;
  const trust = proxyAddr.compile(config.trustedProxies);
  return (req) => {
    // proxy-addr reads the peer from req.socket (or req.connection) and the header from req.headers.
    if (!req.socket?.remoteAddress) return "";
    return proxyAddr(req as IncomingMessage, trust);
  };
}

/** Whether `entry` is an address, a CIDR range, or one of proxy-addr's names (loopback, linklocal, uniquelocal). */
export function isProxyAddress(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}
