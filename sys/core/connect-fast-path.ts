// Connect-protocol unary fast path (POST, application/proto or application/json, identity encoding), in front
// of connect-node, on HTTP/1.1 and h2c. connect-node runs the same call at ~0.5× of grpc-js (README,
// Performance) and answers undecodable bodies with Internal; this only frames (the handler it calls is the
// pipelined one connect-node calls) and answers exactly as connect-node does — status, headers, `trailer-` prefixed trailers, the JSON error body, gzip/br for replies of 1 KiB and
// more — except that a body that does not decode is InvalidArgument (MALFORMED_MESSAGE), as connect-go says.
// Streaming, GET, compressed requests and unknown methods return false and fall through to connect-node.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { create, fromBinary, fromJsonString, isMessage, type Message, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, parseTimeout } from "@connectrpc/connect/protocol-connect";
import { compressMinBytes, copyNonProtocolHeaders, maxTimeoutMs, negotiateCompression } from "./fast-path-protocol.js";
import { type FastPathOptions, type Req, requestTooLarge, type Res, type Route, startUnaryCall, type UnaryCall, unaryRoutes } from "./unary-call.js";
import { undecodable } from "./wire-errors.js";

// connect's contentTypeUnaryRegExp, with the binary/JSON choice captured.
const unaryType = /^application\/(?:json(?:; ?charset=utf-?8)?|(proto))$/i;
const jsonOptions = { ignoreUnknownFields: true }; // connect-es's default for JSON
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
      if (error) copyNonProtocolHeaders(error.metadata, head);
      ctx.responseTrailerIfAny?.forEach((value, name) => (head[`trailer-${name}`] = value));
      const payload = error ? errorToJsonBytes(error, {}) : body!;
      const status = error ? codeToHttpStatus(error.code) : 200;
      const compression = negotiateCompression(undefined, req.headers["accept-encoding"], "accept-encoding").response;
      if (!compression || payload.length < compressMinBytes) return send(res, status, head, payload);
      compression.compress(payload).then((compressed: Uint8Array) => {
        head["content-encoding"] = compression.name;
        send(res, status, head, compressed);
      }, (e: unknown) => res.destroy(e as Error));
    });

    const timeout = req.headers["connect-timeout-ms"];
    if (typeof timeout === "string") {
      const { timeoutMs, error } = parseTimeout(timeout, maxTimeoutMs);
      if (error) {
        call.fail(error);
        return true;
      }
      if (timeoutMs !== undefined) call.setDeadline(timeoutMs);
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
