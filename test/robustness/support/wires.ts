// The wire protocols the one port speaks, each on the HTTP versions it allows: how a request body is framed
// and which headers go with it. A "wire" is one protocol + codec + HTTP version.
import type { DescMethod } from "@bufbuild/protobuf";
import type { HttpVersion } from "./http.js";

export type Protocol = "grpc" | "grpc-web" | "grpc-web-text" | "connect-proto" | "connect-json";

export interface Wire {
  name: string;
  protocol: Protocol;
  http: HttpVersion;
  /** gRPC and gRPC-Web with the JSON codec (+json): only when a fuzzed content-type asks for it. */
  json?: boolean;
}

export const wires: Wire[] = [
  { name: "grpc (h2c)", protocol: "grpc", http: "h2" },
  { name: "grpc-web binary (HTTP/1.1)", protocol: "grpc-web", http: "h1" },
  { name: "grpc-web binary (h2c)", protocol: "grpc-web", http: "h2" },
  { name: "grpc-web text (HTTP/1.1)", protocol: "grpc-web-text", http: "h1" },
  { name: "grpc-web text (h2c)", protocol: "grpc-web-text", http: "h2" },
  { name: "connect binary (HTTP/1.1)", protocol: "connect-proto", http: "h1" },
  { name: "connect binary (h2c)", protocol: "connect-proto", http: "h2" },
  { name: "connect JSON (HTTP/1.1)", protocol: "connect-json", http: "h1" },
  { name: "connect JSON (h2c)", protocol: "connect-json", http: "h2" },
];

/**
 * The wire a request's content-type actually selects (a header fuzzer may change it), or undefined for a
 * content-type no protocol of the port serves.
 */
export function wireOfContentType(contentType: string, http: HttpVersion): Wire | undefined {
  const t = contentType.toLowerCase();
  const json = /\+json\b/.test(t) || undefined;
  const at = (protocol: Protocol): Wire => ({ name: `${protocol} (${contentType})`, protocol, http, json });
  if (/^application\/grpc-web-text\b/.test(t)) return at("grpc-web-text");
  if (/^application\/grpc-web\b/.test(t)) return at("grpc-web");
  if (/^application\/grpc\b/.test(t)) return at("grpc");
  if (/^application\/(connect\+)?json\b/.test(t)) return { ...at("connect-json"), json: undefined };
  if (/^application\/(connect\+)?proto\b/.test(t)) return { ...at("connect-proto"), json: undefined };
  return undefined;
}

export const isStreaming = (method: DescMethod) => method.methodKind === "server_streaming";
export const usesJson = (wire: Wire) => wire.protocol === "connect-json";
/** Whether the request body is a 5-byte-prefixed envelope (everything but unary Connect). */
export const isEnveloped = (wire: Wire, method: DescMethod) => !wire.protocol.startsWith("connect") || isStreaming(method);

export function envelope(payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/** The headers of a call; `timeoutMs` becomes the protocol's deadline header. */
export function requestHeaders(wire: Wire, method: DescMethod, token: string | undefined, timeoutMs?: number): Record<string, string> {
  const h: Record<string, string> = {};
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  switch (wire.protocol) {
    case "grpc":
      h["content-type"] = "application/grpc";
      h.te = "trailers";
      if (timeoutMs) h["grpc-timeout"] = `${timeoutMs}m`;
      break;
    case "grpc-web":
    case "grpc-web-text":
      h["content-type"] = wire.protocol === "grpc-web" ? "application/grpc-web+proto" : "application/grpc-web-text";
      h["x-grpc-web"] = "1";
      if (timeoutMs) h["grpc-timeout"] = `${timeoutMs}m`;
      break;
    default: {
      const codec = wire.protocol === "connect-json" ? "json" : "proto";
      h["content-type"] = isStreaming(method) ? `application/connect+${codec}` : `application/${codec}`;
      h["connect-protocol-version"] = "1";
      if (timeoutMs) h["connect-timeout-ms"] = String(timeoutMs);
    }
  }
  return h;
}

/** A request body from one encoded message (binary, or JSON text for the JSON codec), framed for the wire. */
export function frameMessage(wire: Wire, method: DescMethod, payload: Uint8Array): Buffer {
  const body = isEnveloped(wire, method) ? envelope(payload) : Buffer.from(payload);
  return wire.protocol === "grpc-web-text" ? Buffer.from(body.toString("base64")) : body;
}
