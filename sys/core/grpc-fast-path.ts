// gRPC unary fast path on the one port, in front of connect-node. connect-node 2.2 runs unary gRPC through its
// full streaming pipeline (~10 async-generator layers, abort reasons built per call) and reaches ~0.25× of
// bare grpc-js (README, Performance). This answers unary gRPC (protobuf or JSON codec) straight on the HTTP/2
// stream: framing only — the handler it calls is the same pipelined handler connect-node calls, so the
// answers carry the same codes, messages and details; gzip and br requests are decompressed (never past the
// message limit) and answered uncompressed. Anything else (streaming, gRPC-Web, Connect, other encodings, HTTP/1.1) returns
// false and falls through to connect-node unchanged. Only public connect/protobuf-es APIs are used.
// The framing helpers below (timeout, envelope, status trailers) serve the gRPC-Web fast path too.
import type { Http2ServerRequest, Http2ServerResponse, OutgoingHttpHeaders } from "node:http2";
import type { Readable } from "node:stream";
import { create, fromBinary, fromJsonString, isMessage, toBinary, toJsonString } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, encodeBinaryHeader } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { parseTimeout } from "@connectrpc/connect/protocol-grpc";
import { copyNonProtocolHeaders, maxTimeoutMs, negotiateCompression } from "./fast-path-protocol.js";
import { type FastPathOptions, type Req, requestTooLarge, type Res, type Route, startUnaryCall, type UnaryCall, unaryRoutes } from "./unary-call.js";
import { compressedWithoutEncoding, undecodable } from "./wire-errors.js";

export type GrpcFastPathOptions = FastPathOptions;

// connect's gRPC content types; the JSON codec is captured (connect-node's own answer to a JSON body that
// quotes half a surrogate pair in its parse error is no answer at all: see wire-errors.ts).
const grpcType = /^application\/grpc(?:\+(?:(json)(?:; ?charset=utf-?8)?|proto))?$/i;
const jsonOptions = { ignoreUnknownFields: true }; // connect-es's default for JSON

export function createGrpcFastPath(options: GrpcFastPathOptions): (req: Req, res: Res) => boolean {
  const { maxMessageBytes } = options;
  const routes = unaryRoutes(options.services);

  return (req, res) => {
    const stream = (req as Http2ServerRequest).stream;
    const type = req.headers["content-type"];
    const encoding = req.headers["grpc-encoding"];
    if (!stream || req.method !== "POST") return false;
    // The usual content types by comparison; a regular expression only for the rest.
    let json = false;
    if (type !== "application/grpc" && type !== "application/grpc+proto") {
      const parsed = grpcType.exec(type ?? "");
      if (!parsed) return false;
      json = parsed[1] !== undefined;
    }
    const negotiated = negotiateCompression(encoding, undefined, "grpc-accept-encoding");
    if (negotiated.error) return false; // connect-node names what it accepts
    const compression = negotiated.request ?? undefined;
    const route = routes.get(req.url ?? "");
    if (!route) return false;

    const call = startUnaryCall(options, route, req, res, "grpc", (message) => encodeMessage(route, message, json), ({ body, error }, { ctx }) => {
      if (stream.destroyed || stream.closed) return; // the client went away: nobody to answer
      const head: OutgoingHttpHeaders = { ":status": 200, "content-type": json ? "application/grpc+json" : "application/grpc" };
      ctx.responseHeaderIfAny?.forEach((value, name) => (head[name] = value));
      if (error) {
        // Trailers-only response: the status travels in the one HEADERS frame.
        stream.respond(Object.assign(head, statusTrailers(error)), { endStream: true });
        return;
      }
      const trailers: OutgoingHttpHeaders = { "grpc-status": "0" };
      ctx.responseTrailerIfAny?.forEach((value, name) => (trailers[name] = value));
      // The compat response owns the stream's 'wantTrailers' listener and sends what addTrailers stored.
      stream.respond(head, { waitForTrailers: true });
      (res as Http2ServerResponse).addTrailers(trailers);
      stream.end(frame(0, body));
    });

    if (!applyGrpcTimeout(req, call)) return true;
    readEnvelope(stream, call, maxMessageBytes, (body) => {
      let message: Uint8Array | Promise<Uint8Array>;
      try {
        message = unwrapEnvelope(body, compression, maxMessageBytes);
      } catch (e) {
        return call.fail(ConnectError.from(e));
      }
      if (message instanceof Uint8Array) return call.run(() => parseMessage(route, message, json));
      message.then((bytes) => call.run(() => parseMessage(route, bytes, json)), (e: unknown) => call.fail(ConnectError.from(e)));
    });
    return true;
  };
}

/** grpc-timeout: the handler's signal aborts at the deadline. False when the header is invalid (the call failed). */
export function applyGrpcTimeout(req: Req, call: UnaryCall): boolean {
  const timeout = req.headers["grpc-timeout"];
  if (typeof timeout !== "string") return true;
  const { timeoutMs, error } = parseTimeout(timeout, maxTimeoutMs);
  if (error) {
    call.fail(error);
    return false;
  }
  if (timeoutMs !== undefined) call.setDeadline(timeoutMs);
  return true;
}

/**
 * A gRPC or gRPC-Web request body, refused as soon as its 5-byte prefix announces more than `max` bytes, or as
 * soon as more than one envelope of `max` bytes has arrived whatever the prefix said: an endless body never
 * grows past that. Once refused nothing more is kept (the server closes the inbound side after answering).
 */
export function readEnvelope(source: Readable, call: UnaryCall, max: number, then: (body: Buffer) => void) {
  let chunks: Buffer[] = [];
  let size = 0;
  source.on("data", (chunk: Buffer) => {
    if (call.finished) return;
    const before = size;
    chunks.push(chunk);
    size += chunk.length;
    let refused = 0;
    // Refuse an oversized message from its 5-byte prefix, before buffering the rest of it (as connect does)...
    if (before < 5 && size >= 5) {
      const length = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readUInt32BE(1);
      if (length > max) refused = length;
    }
    // ...and a body that goes on past one envelope of the largest size, whatever its prefix said.
    if (!refused && size > max + 5) refused = size;
    if (!refused) return;
    chunks = [];
    call.fail(requestTooLarge(refused, max));
  });
  source.once("end", () => {
    if (call.finished) return;
    then(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  });
}

/**
 * The one enveloped request message's bytes, with the same protocol errors, codes and order as connect's envelope
 * reader; a compressed message is decompressed (never past `max` bytes) with the request's declared encoding.
 */
export function unwrapEnvelope(body: Buffer, compression: Compression | undefined, max: number): Uint8Array | Promise<Uint8Array> {
  if (body.length === 0) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
  if (length < 0 || body.length < 5 + length) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  if (body.length > 5 + length) {
    const rest = body.length - 5 - length;
    if (rest < 5 || rest < 5 + body.readUInt32BE(5 + length + 1)) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  }
  if ((body[0] & 1) === 0) return body.subarray(5);
  // connect says Internal; it is the caller's malformed input.
  if (!compression) throw compressedWithoutEncoding();
  return compression.decompress(body.subarray(5), max);
}

/** The request message; undecodable input is the caller's fault (connect-go says InvalidArgument too; connect-es says Internal). */
export function parseMessage(route: Route, bytes: Uint8Array, json: boolean): unknown {
  try {
    return json ? fromJsonString(route.method.input, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"), jsonOptions) : fromBinary(route.method.input, bytes);
  } catch (e) {
    throw undecodable(json ? "json" : "binary", e);
  }
}

/** The reply message as protobuf binary, or as JSON text for the JSON codec. */
export function encodeMessage(route: Route, message: unknown, json: boolean): Uint8Array {
  const out = isMessage(message, route.method.output) ? message : create(route.method.output, message as never);
  return json ? Buffer.from(toJsonString(route.method.output, out)) : toBinary(route.method.output, out);
}

/** A 5-byte prefixed frame (gRPC message, or a gRPC-Web trailer frame with flags 0x80). */
export function frame(flags: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = flags;
  out.writeUInt32BE(body.length, 1);
  out.set(body, 5);
  return out;
}

/** grpc-status, grpc-message and grpc-status-details-bin (google.rpc.Status), as connect's setTrailerStatus. */
export function statusTrailers(err: ConnectError, encodeText: (message: string) => string = percentEncode): OutgoingHttpHeaders {
  const out = copyNonProtocolHeaders(err.metadata, {});
  out["grpc-status"] = String(err.code);
  out["grpc-message"] = encodeText(err.rawMessage.toWellFormed());
  if (err.details.length > 0) {
    // google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
    const w = new BinaryWriter().tag(1, WireType.Varint).int32(err.code).tag(2, WireType.LengthDelimited).string(err.rawMessage);
    for (const d of err.details) {
      const [typeName, value] = "desc" in d ? [d.desc.typeName, toBinary(d.desc, create(d.desc, d.value))] : [d.type, d.value];
      w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(`type.googleapis.com/${typeName}`).tag(2, WireType.LengthDelimited).bytes(value).join();
    }
    out["grpc-status-details-bin"] = encodeBinaryHeader(w.finish());
  }
  return out;
}

/**
 * grpc-message as the gRPC spec percent-encodes it: only '%' and bytes outside printable ASCII. connect-es uses
 * encodeURIComponent, which grpc-js (decodeURI) leaves half-decoded ("service%3A …"); this reads right in both.
 */
function percentEncode(message: string): string {
  return message.replace(/[^\x20-\x24\x26-\x7e]+/g, encodeURIComponent);
}
