// What the unary fast paths take from connect's own protocol helpers, in one place, so they answer exactly as
// connect-node: the compressions connectNodeAdapter accepts by default and their negotiation, its timeout
// ceiling, and which of an error's metadata may become response headers.
import type { OutgoingHttpHeaders } from "node:http";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { type Compression, compressionNegotiate, mergeNonProtocolHeaders } from "@connectrpc/connect/protocol";

/** connectNodeAdapter's defaults: accepted compressions in its order of preference, and its compressMinBytes. */
export const compressions: Compression[] = [compressionGzip, compressionBrotli];
export const compressMinBytes = 1024;
/** connect's default maxTimeoutMs: any deadline a client asks for. */
export const maxTimeoutMs = Number.MAX_SAFE_INTEGER;

/** The request's and the reply's compression, as connect-node negotiates them; `error` names what it accepts. */
export function negotiateCompression(requested: string | string[] | undefined, accepted: string | string[] | undefined, acceptHeader: string) {
  return compressionNegotiate(compressions, requested === undefined ? null : String(requested), accepted === undefined ? null : String(accepted), acceptHeader);
}

/** Copies the error metadata a response may carry (never a protocol header) into `into`. */
export function copyNonProtocolHeaders(metadata: Headers, into: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const kept = new Headers();
  mergeNonProtocolHeaders(kept, metadata);
  kept.forEach((value, name) => (into[name] = value));
  return into;
}
