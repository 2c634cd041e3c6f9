// The address a call comes from, as the rate limits and the audit see it.
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { Config } from "./config.js";

export type ClientAddress = (req: IncomingMessage | Http2ServerRequest) => string;

export function createClientAddress(_config: Config): ClientAddress {
  return (req) => req.socket?.remoteAddress ?? "";
}
