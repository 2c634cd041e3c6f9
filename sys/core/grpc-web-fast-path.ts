// gRPC-Web unary fast path (POST, application/grpc-web, +proto or +json, identity, gzip or br), in front of
// connect-node, on HTTP/1.1 and h2c — the protocol browsers use. Framing only: it calls the same pipelined
// handler as connect-node. It answers exactly as connect-node does
// (HTTP 200, the reply frame, then the trailers as a frame flagged 0x80, gzip/br frames of 1 KiB and more when
// the client accepts them), except that a body that does not decode is InvalidArgument (MALFORMED_MESSAGE)
// where connect-node says Internal (or, for JSON whose parse error quotes half a surrogate pair, never
// answers). Compressed requests are decompressed never past the message limit. The base64 `-text` variants,
// other encodings, streaming and unknown methods return false and fall through to connect-node. Framing is
// shared with the gRPC fast path.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressMinBytes, negotiateCompression } from "./fast-path-protocol.js";
import { applyGrpcTimeout, encodeMessage, frame, parseMessage, readEnvelope, statusTrailers, unwrapEnvelope } from "./grpc-fast-path.js";
import { type FastPathOptions, type Req, type Res, startUnaryCall, unaryRoutes } from "./unary-call.js";

// connect's gRPC-Web content types but the base64 -text ones; the JSON codec is captured.
const contentType = /^application\/grpc-web(?:\+(?:(json)(?:; ?charset=utf-?8)?|proto))?$/i;
const trailerFlag = 0x80;
const compressedFlag = 0x01;

export function createGrpcWebFastPath(options: FastPathOptions): (req: Req, res: Res) => boolean {
  const { maxMessageBytes } = options;
  const routes = unaryRoutes(options.services);

  return (req, res) => {
    const type = req.method === "POST" ? contentType.exec(req.headers["content-type"] ?? "") : null;
    if (!type) return false;
    const json = type[1] !== undefined;
    // As connect's compressionNegotiate: the client's first known accepted name, else the request's own.
    const negotiated = negotiateCompression(req.headers["grpc-encoding"], req.headers["grpc-accept-encoding"], "grpc-accept-encoding");
    if (negotiated.error) return false; // connect-node names what it accepts
    const route = routes.get(req.url ?? "");
    if (!route) return false;
    const requestCompression = negotiated.request ?? undefined;
    const compression: Compression | undefined = negotiated.response ?? undefined;

    const call = startUnaryCall(options, route, req, res, "grpc-web", (message) => encodeMessage(route, message, json), ({ body, error }, { ctx }) => {
      const head: OutgoingHttpHeaders = { "content-type": json ? "application/grpc-web+json" : "application/grpc-web+proto" };
      if (compression) head["grpc-encoding"] = compression.name;
      ctx.responseHeaderIfAny?.forEach((value, name) => (head[name] = value));
      // connect-node keeps the trailers in a Headers object: its (sorted) order is the order on the wire.
      const trailers = new Headers({ "grpc-status": "0" });
      ctx.responseTrailerIfAny?.forEach((value, name) => trailers.set(name, value));
      if (error) for (const [name, value] of Object.entries(statusTrailers(error, encodeURIComponent))) trailers.set(name, String(value));
      let text = "";
      trailers.forEach((value, name) => (text += `${name}: ${value}\r\n`));
      const frames = [...(body ? [{ flags: 0, data: body }] : []), { flags: trailerFlag, data: Buffer.from(text) }];
      Promise.all(frames.map(async ({ flags, data }) => {
        if (!compression || data.length < compressMinBytes) return frame(flags, data);
        return frame(flags | compressedFlag, await compression.compress(data));
      })).then((chunks) => send(res, head, chunks), (e: unknown) => res.destroy(e as Error));
    });

    if (!applyGrpcTimeout(req, call)) return true;
    readEnvelope(req, call, maxMessageBytes, (body) => {
      let message: Uint8Array | Promise<Uint8Array>;
      try {
        message = unwrapEnvelope(body, requestCompression, maxMessageBytes);
      } catch (e) {
        return call.fail(e as ConnectError); // as connect-node: a framing error is refused before the handler runs
      }
      if (message instanceof Uint8Array) return call.run(() => parseMessage(route, message, json));
      message.then((bytes) => call.run(() => parseMessage(route, bytes, json)), (e: unknown) => call.fail(ConnectError.from(e)));
    });
    return true;
  };
}

/** One chunk per frame, as connect-node writes them (chunked on HTTP/1.1: no content-length). */
function send(res: Res, head: OutgoingHttpHeaders, chunks: Buffer[]) {
  const stream = (res as Http2ServerResponse).stream;
  if (stream ? stream.destroyed || stream.closed : (res as ServerResponse).destroyed) return; // the client went away: nobody to answer
  (res as ServerResponse).writeHead(200, head);
  for (const chunk of chunks.slice(0, -1)) (res as ServerResponse).write(chunk);
  res.end(chunks[chunks.length - 1]);
}
