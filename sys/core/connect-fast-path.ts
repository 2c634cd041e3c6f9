// Connect-protocol unary fast path (POST, application/proto or application/json, identity encoding), in front
// of connect-node, on HTTP/1.1 and h2c. connect-node runs the same call at ~0.5× of grpc-js (README,
// Performance) and answers undecodable bodies with Internal; this only frames (the handler it calls is the
// pipelined one connect-node calls) and answers exactly as connect-node does — status, headers, `trailer-` prefixed trailers, the JSON error body, gzip/br for replies of 1 KiB and
// more — except that a body that does not decode is InvalidArgument (MALFORMED_MESSAGE), as connect-go says.
// Streaming, GET, compressed requests and unknown methods return false and fall through to connect-node.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { create, type DescMessage, fromBinary, fromJsonString, isMessage, type Message, toBinary, toJson, toJsonString } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import type { Compression } from "@connectrpc/connect/protocol";
import { type FastPathOptions, type Req, requestTooLarge, type Res, type Route, startUnaryCall, type UnaryCall, unaryRoutes } from "./unary-call.js";
import { undecodable } from "./wire-errors.js";

// connect's contentTypeUnaryRegExp, with the binary/JSON choice captured.
const unaryType = /^application\/(?:json(?:; ?charset=utf-?8)?|(proto))$/i;
const jsonOptions = { ignoreUnknownFields: true }; // connect-es's default for JSON
// What connectNodeAdapter accepts by default, in its order of preference, and its compressMinBytes.
const compressions: Compression[] = [compressionGzip, compressionBrotli];
const compressMinBytes = 1024;
// connect's protocolHeaders: error metadata under these names never becomes a response header.
const protocolHeaders = new Set(["content-type", "content-length", "content-encoding", "host", "user-agent", "trailer", "date", "accept-encoding", "trailer-",
  "connect-content-encoding", "connect-accept-encoding", "connect-timeout-ms", "connect-protocol-version", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout",
  "grpc-status", "grpc-message", "grpc-status-details-bin"]);

export function createConnectFastPath(options: FastPathOptions): (req: Req, res: Res) => boolean {
  const { maxMessageBytes } = options;
  const routes = unaryRoutes(options.services);

  return (req, res) => {
    if (req.method !== "POST") return false;
    const type = unaryType.exec(req.headers["content-type"] ?? "");
    const encoding = req.headers["content-encoding"];
    if (!type || (encoding !== undefined && encoding !== "identity")) return false;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const route = routes.get(query < 0 ? url : url.slice(0, query));
    if (!route) return false;
    const binary = type[1] !== undefined;

    const encode = (message: unknown) => {
      const out = isMessage(message, route.method.output) ? message : create(route.method.output, message as never);
      try {
        return binary ? toBinary(route.method.output, out) : Buffer.from(toJsonString(route.method.output, out));
      } catch (e) {
        throw new ConnectError(`serialize ${binary ? "binary" : "json"}: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
      }
    };
    const call = startUnaryCall(options, route, req, res, "connect", encode, ({ body, error }, { ctx }) => {
      const head: OutgoingHttpHeaders = { "content-type": error ? "application/json" : binary ? "application/proto" : "application/json" };
      ctx.responseHeaderIfAny?.forEach((value, name) => (head[name] = value));
      if (error) error.metadata.forEach((value, name) => void (protocolHeaders.has(name) || (head[name] = value)));
      ctx.responseTrailerIfAny?.forEach((value, name) => (head[`trailer-${name}`] = value));
      const payload = error ? errorJson(error) : body!;
      const compression = negotiate(req.headers["accept-encoding"]);
      if (!compression || payload.length < compressMinBytes) return send(res, error ? httpStatus(error.code) : 200, head, payload);
      compression.compress(payload).then((compressed: Uint8Array) => {
        head["content-encoding"] = compression.name;
        send(res, error ? httpStatus(error.code) : 200, head, compressed);
      }, (e: unknown) => res.destroy(e as Error));
    });

    const timeout = req.headers["connect-timeout-ms"];
    if (typeof timeout === "string") {
      if (!/^\d{1,10}$/.test(timeout)) {
        call.fail(new ConnectError(`protocol error: invalid connect timeout value: ${timeout}`, Code.InvalidArgument));
        return true;
      }
      call.setDeadline(Number(timeout));
    }
    readBody(req, call, maxMessageBytes, (bytes) => call.run(() => decode(route, binary, bytes)));
    return true;
  };
}

/** The request body, refused as connect's readAllBytes does: by its content-length first, or as it grows. */
function readBody(req: Req, call: UnaryCall, max: number, then: (bytes: Buffer) => void) {
  const hint = req.headers["content-length"] === undefined ? Number.NaN : Number.parseInt(req.headers["content-length"], 10);
  const known = Number.isSafeInteger(hint) && hint >= 0;
  if (known && hint > max) return call.fail(requestTooLarge(hint, max));
  let chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    if (call.finished) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size <= max && !(known && size > hint)) return;
    chunks = []; // an endless body is never kept past the limit
    if (known && size > hint) call.fail(new ConnectError(`protocol error: promised ${hint} bytes, received ${size}`, Code.InvalidArgument));
    else call.fail(requestTooLarge(undefined, max));
  });
  req.once("end", () => {
    if (call.finished) return;
    if (known && size < hint) return call.fail(new ConnectError(`protocol error: promised ${hint} bytes, received ${size}`, Code.InvalidArgument));
    then(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  });
}

function decode(route: Route, binary: boolean, bytes: Buffer): Message {
  try {
    return binary ? fromBinary(route.method.input, bytes) : fromJsonString(route.method.input, bytes.toString("utf8"), jsonOptions);
  } catch (e) {
    throw undecodable(binary ? "binary" : "json", e);
  }
}

function send(res: Res, status: number, head: OutgoingHttpHeaders, body: Uint8Array) {
  const stream = (res as Http2ServerResponse).stream;
  if (stream ? stream.destroyed || stream.closed : (res as ServerResponse).destroyed) return; // the client went away: nobody to answer
  head["content-length"] = String(body.length);
  (res as ServerResponse).writeHead(status, head);
  res.end(body);
}

/** connect's compressionNegotiate for a request sent without compression: the client's first known name. */
function negotiate(accepted: string | undefined): Compression | undefined {
  if (!accepted) return undefined;
  for (const name of accepted.split(",")) {
    const found = compressions.find((c) => c.name === name.trim());
    if (found) return found;
  }
  return undefined;
}

/** The Connect error body: {code, message?, details?: [{type, debug?, value}]}, byte for byte as connect-es. */
export function errorJson(error: ConnectError): Buffer {
  const o: { code: string; message?: string; details?: unknown[] } = { code: Code[error.code].replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) };
  if (error.rawMessage.length > 0) o.message = error.rawMessage;
  if (error.details.length > 0) {
    o.details = error.details.map((d) => {
      if (!("desc" in d)) return { type: d.type, ...(d.debug === undefined ? {} : { debug: d.debug }), value: base64Encode(d.value, "std_raw") };
      const message = create(d.desc as DescMessage, d.value as never);
      let debug: unknown;
      try {
        debug = toJson(d.desc as DescMessage, message);
      } catch {
        // as connect-es: debug is optional (an Any it cannot print)
      }
      return { type: d.desc.typeName, ...(debug === undefined ? {} : { debug }), value: base64Encode(toBinary(d.desc as DescMessage, message), "std_raw") };
    });
  }
  return Buffer.from(JSON.stringify(o));
}

/** The Connect protocol's HTTP status for each code (connect's codeToHttpStatus). */
export function httpStatus(code: Code): number {
  return statusOf[code] ?? 500;
}
const statusOf: Partial<Record<Code, number>> = {
  [Code.Canceled]: 499, [Code.Unknown]: 500, [Code.InvalidArgument]: 400, [Code.DeadlineExceeded]: 504, [Code.NotFound]: 404, [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403, [Code.ResourceExhausted]: 429, [Code.FailedPrecondition]: 400, [Code.Aborted]: 409, [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501, [Code.Internal]: 500, [Code.Unavailable]: 503, [Code.DataLoss]: 500, [Code.Unauthenticated]: 401,
};
