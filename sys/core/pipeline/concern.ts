// The call pipeline's unit: a cross-cutting concern (validation, the guard, the call log, metrics, tracing)
// written once, and applied once per method when the host registers the handlers. Every serving path — the
// unary fast paths and connect-node for everything else, on every protocol — calls the same wrapped handler,
// so a concern added here reaches every call, and nothing else runs one.
import type { IncomingHttpHeaders } from "node:http";
import type { DescMethod } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

/** One call as a concern sees it. */
export interface Call {
  readonly method: DescMethod;
  /** "/polity.sys.account.v1.AccountService/GetAccount" */
  readonly path: string;
  readonly ctx: HandlerContext;
  /**
   * The request: one message for unary and server-streaming methods, an AsyncIterable of messages for client
   * and bidi streams. A concern may replace it (validation wraps a stream to check each message).
   */
  input: unknown;
}

/**
 * What the next step answers: the reply message for unary and client-streaming methods, an AsyncIterable of
 * replies for server and bidi streams. A concern that must see a stream's end wraps the iterable.
 */
export type Next = (call: Call) => Promise<unknown>;

/** A concern is built once per method (so it can precompute labels, rules, names) and wraps the next step. */
export type Concern = (method: DescMethod, path: string) => (next: Next) => Next;

/** Whether the method answers with a stream (so `Next` resolves to an AsyncIterable). */
export const repliesWithStream = (method: DescMethod) => method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
/** Whether the method takes a stream (so `Call.input` is an AsyncIterable). */
export const takesStream = (method: DescMethod) => method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";

/** node's header object of the request, set by the serving paths so concerns read headers without copying them. */
/**
 * Header value of the request, without building a Headers object on the fast paths (they keep node's raw
 * header object in the context values under this key).
 */
export function requestHeaderOf(ctx: HandlerContext, name: string): string | null {
  const raw = ctx.values.get(rawHeadersKey);
  if (raw) {
    const value = raw[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }
  return ctx.requestHeader.get(name);
}

/** node's header object of the request, set by the serving paths so concerns read headers without copying them. */
export const rawHeadersKey = createContextKey<IncomingHttpHeaders | undefined>(undefined, { description: "raw request headers" });
