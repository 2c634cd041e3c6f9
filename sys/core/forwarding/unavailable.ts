// The answer a process gives for a call it cannot forward (to sys, or to another module's process): UNAVAILABLE
// in the shape of the caller's protocol, so every client reads the code and reason as if the upstream had said it.
import type { ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { Code, type ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { apiError } from "../errors.js";
import { frame, statusTrailers } from "../grpc-fast-path.js";
import type { ForwardedRequest } from "./outgoing-headers.js";

type Res = ServerResponse | Http2ServerResponse;

export const sysUnreachable = () => apiError(Code.Unavailable, "SYS_UNAVAILABLE", "sys is unreachable; try again shortly");
export const moduleUnreachable = (module: string) => apiError(Code.Unavailable, "MODULE_UNAVAILABLE", `the ${module} module is unreachable; try again shortly`);

/** Answers `error` as the request's protocol expects; a response already under way is cut instead. */
export function answerError(req: ForwardedRequest, res: Res, error: ConnectError): void {
  if (res.headersSent || res.writableEnded) return void res.destroy();
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/grpc-web")) {
    // gRPC-Web: HTTP 200 and the status in a trailer frame (base64 for grpc-web-text).
    const trailer = Object.entries(statusTrailers(error)).map(([name, value]) => `${name}: ${String(value)}\r\n`).join("");
    const body = frame(0x80, Buffer.from(trailer));
    return send(res, 200, type.split(";")[0], type.startsWith("application/grpc-web-text") ? Buffer.from(body.toString("base64")) : body);
  }
  if (type.startsWith("application/grpc")) {
    // gRPC: trailers-only, the status in the one HEADERS frame. end() without writeHead sends them with END_STREAM.
    res.statusCode = 200;
    res.setHeader("content-type", type.split(";")[0]);
    for (const [name, value] of Object.entries(statusTrailers(error))) res.setHeader(name, value as string);
    return void res.end();
  }
  if (type.startsWith("application/connect+")) {
    // Connect streaming: HTTP 200 and the error in the end-of-stream message (flag 0x02).
    const end = Buffer.concat([Buffer.from('{"error":'), Buffer.from(errorToJsonBytes(error, {})), Buffer.from("}")]);
    return send(res, 200, type.split(";")[0], frame(0x02, end));
  }
  // Connect unary (POST or GET), and anything else: the JSON error with its HTTP status.
  send(res, codeToHttpStatus(error.code), "application/json", Buffer.from(errorToJsonBytes(error, {})));
}

function send(res: Res, status: number, contentType: string, body: Buffer) {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.setHeader("content-length", String(body.length));
  res.end(body);
}
