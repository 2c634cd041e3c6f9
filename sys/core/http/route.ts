// What a module contributes besides RPC services: plain HTTP routes on the one port (incoming webhooks, the
// Metagov-compatible API). The host builds one router from every module's routes and answers them before the
// RPC router; the handler sees a request already reduced to what it may trust.
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface RouteRequest {
  /** Path parameters, decoded (find-my-way pattern names, e.g. `:community`). */
  params: Record<string, string>;
  /** The query string; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string | undefined>;
  /** The caller's address: the peer, or x-forwarded-for as far as `trustedProxies` vouch for it. */
  clientAddress: string;
  /**
   * The raw body. Counted as it arrives and cut at `webhookMaxBytes` (rejects with an HttpError 413), or when
   * it does not arrive whole within `requestBodyTimeoutMs` (408); never buffers more than the limit. Reading
   * twice gives the same bytes.
   */
  readBody(): Promise<Buffer>;
}

export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  /** A Buffer is sent as is; anything else (not undefined) is sent as JSON. */
  body?: unknown;
}

export interface HttpRoute {
  method: HttpMethod;
  /** A find-my-way pattern, e.g. "/api/hooks/:community/:plugin". */
  path: string;
  handler(request: RouteRequest): Promise<RouteResponse>;
}

/** An error a handler (or readBody) throws to answer with this status and `{error}`; anything else is a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
