// gRPC-Web's base64 "text" variant (application/grpc-web-text[+proto|+json]), which connect-node does not speak
// (it answers 415), as one framing adapter in front of the whole RPC stack. The body is decoded as it arrives
// and handed on as a gRPC-Web binary request; a gRPC-Web answer goes back base64-encoded write by write, each
// write its own padded segment (the grpc-web clients decode concatenated padded segments), so a server-streamed
// message leaves at once instead of waiting for the bytes of the next one. Everything else — fast paths,
// message limits, deadlines — is the binary path's: the inner stack counts decoded bytes, and the body is read
// only as fast as the inner stack reads it. Base64 that does not decode is refused here (InvalidArgument,
// MALFORMED_MESSAGE) and the inner stack's own answer, whatever it is by then, is dropped.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Readable } from "node:stream";
import type { ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { frame, statusTrailers } from "./grpc-fast-path.js";
import { malformedMessage } from "./wire-errors.js";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;
type Serve = (req: Req, res: Res) => void;

export interface GrpcWebTextOptions {
  /** Requests refused for their base64 get a call-log-like line here (the inner stack never saw them). */
  logger?: Pick<Logger, "info">;
}

const requestType = /^application\/grpc-web-text(?:\+(proto|json))?(?:\s*;.*)?$/i;
// What the inner stack answers a gRPC-Web request with; anything else (a 404, a 415) passes through as it is.
const binaryAnswer = /^application\/grpc-web(\+[\w.-]+)?(\s*;.*)?$/i;
const base64Alphabet = /[^A-Za-z0-9+/=]/;

export function createGrpcWebTextAdapter(options: GrpcWebTextOptions = {}): (req: Req, res: Res, serve: Serve) => boolean {
  return (req, res, serve) => {
    const type = req.method === "POST" ? requestType.exec(String(req.headers["content-type"] ?? "")) : null;
    if (!type) return false;
    const headers = { ...req.headers, "content-type": `application/grpc-web+${(type[1] ?? "proto").toLowerCase()}` };
    delete headers["content-length"];
    const decoder = createBase64Decoder();
    // Read only as fast as the inner stack reads: an endless body never piles up here.
    const body = new Readable({ read: () => void req.resume() });
    body.on("error", () => undefined); // readers that only listen for 'data' (the fast paths) must not crash on a failed body
    // No `.stream`: the gRPC fast path declines, and connect-node treats it as an HTTP/1.1-style request.
    Object.assign(body, { headers, method: req.method, url: req.url, httpVersion: req.httpVersion, socket: req.socket });
    if ("authority" in req) Object.assign(body, { authority: req.authority });
    const response = wrapResponse(res);
    let ended = false;
    let over = false; // answered (or gone): whatever still arrives is dropped, and the connection limits drain it

    const stop = () => {
      if (over) return;
      over = true;
      if (!ended) body.destroy();
      req.resume();
    };
    const refuse = (cause: string) => {
      if (over) return;
      response.silence();
      stop();
      answerError(res, response.textType, malformedMessage(`invalid base64: ${cause}`));
      options.logger?.info({ method: req.url, protocol: "grpc-web-text", code: "InvalidArgument", reason: "MALFORMED_MESSAGE", peer: req.socket?.remoteAddress }, "rpc");
    };
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      let bytes: Buffer;
      try {
        bytes = decoder.push(chunk);
      } catch (e) {
        return refuse((e as Error).message);
      }
      if (bytes.length > 0 && !body.push(bytes)) req.pause();
    });
    req.once("end", () => {
      if (over) return;
      try {
        decoder.end();
      } catch (e) {
        return refuse((e as Error).message);
      }
      ended = true;
      body.push(null);
    });
    req.once("error", (error) => ended || body.destroy(error));
    req.once("close", () => ended || body.destroy());
    res.once("finish", stop);
    res.once("close", stop);
    serve(body as unknown as Req, response.res);
    return true;
  };
}

/** The trailers-only gRPC-Web answer for an error, base64-encoded (appended if an answer had begun). */
function answerError(res: Res, textType: string, error: ConnectError) {
  const trailers = new Headers(); // sorted on the wire, as connect-node and the gRPC-Web fast path write them
  for (const [name, value] of Object.entries(statusTrailers(error, encodeURIComponent))) trailers.set(name, String(value));
  let text = "";
  trailers.forEach((value, name) => (text += `${name}: ${value}\r\n`));
  const segment = frame(0x80, Buffer.from(text)).toString("base64");
  if (!res.headersSent) (res as ServerResponse).writeHead(200, { "content-type": textType });
  res.end(segment);
}

/**
 * The response the inner stack writes to: the real one, but a gRPC-Web answer gets the text content type and
 * every write base64-encoded as its own padded segment. Once silenced (the adapter answered), it swallows all.
 */
function wrapResponse(res: Res) {
  let encode = false;
  let silent = false;
  const state = { textType: "application/grpc-web-text+proto" };
  const contentType = (value: unknown) => {
    const binary = binaryAnswer.exec(String(value));
    if (!binary) return value;
    encode = true;
    return (state.textType = `application/grpc-web-text${binary[1] ?? ""}${binary[2] ?? ""}`);
  };
  const rewrite = (headers: OutgoingHttpHeaders) => {
    const out: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (lower === "content-type") out[name] = contentType(value) as string;
      else if (lower !== "content-length") out[name] = value;
    }
    return out;
  };
  const encoded = (chunk: unknown, encoding?: BufferEncoding) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);
    return bytes.toString("base64");
  };
  const target = res as ServerResponse;
  const overrides: Record<PropertyKey, unknown> = {
    writeHead(status: number, ...rest: unknown[]) {
      if (silent) return proxy;
      const last = rest[rest.length - 1];
      if (last && typeof last === "object" && !Array.isArray(last)) rest[rest.length - 1] = rewrite(last as OutgoingHttpHeaders);
      if (encode && !target.headersSent) target.removeHeader("content-length");
      target.writeHead(status, ...(rest as []));
      return proxy;
    },
    setHeader(name: string, value: string | number | readonly string[]) {
      if (silent) return proxy;
      const lower = name.toLowerCase();
      if (lower === "content-type") target.setHeader(name, contentType(value) as string);
      else if (lower !== "content-length" || !encode) target.setHeader(name, value);
      return proxy;
    },
    write(chunk: unknown, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void) {
      if (typeof encoding === "function") [cb, encoding] = [encoding, undefined];
      if (silent) {
        if (cb) process.nextTick(cb);
        return true;
      }
      if (!encode) return target.write(chunk as Buffer, encoding as BufferEncoding, cb);
      return target.write(encoded(chunk, encoding), "latin1", cb);
    },
    end(chunk?: unknown, encoding?: BufferEncoding | (() => void), cb?: () => void) {
      if (typeof chunk === "function") [cb, chunk] = [chunk as () => void, undefined];
      if (typeof encoding === "function") [cb, encoding] = [encoding, undefined];
      if (silent) {
        if (cb) process.nextTick(cb);
        return proxy;
      }
      if (chunk === undefined || chunk === null) target.end(cb);
      else if (!encode) target.end(chunk as Buffer, encoding as BufferEncoding, cb);
      else target.end(encoded(chunk, encoding), "latin1", cb);
      return proxy;
    },
    addTrailers(headers: OutgoingHttpHeaders) {
      if (!silent) target.addTrailers(headers);
    },
    destroy(error?: Error) {
      if (!silent) target.destroy(error);
      return proxy;
    },
  };
  const proxy: Res = new Proxy(res, {
    get(real, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key];
      const value = Reflect.get(real, key, real);
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
  return {
    res: proxy,
    get textType() {
      return state.textType;
    },
    silence() {
      silent = true;
    },
  };
}

/**
 * Base64 that may arrive cut anywhere, as concatenated padded segments (the gRPC-Web spec allows a padded
 * group anywhere): decoded per complete 4-character group, up to three characters carried to the next chunk.
 */
export function createBase64Decoder() {
  let carry = "";
  return {
    push(chunk: Buffer): Buffer {
      const text = carry + chunk.toString("latin1");
      const usable = text.length - (text.length % 4);
      carry = text.slice(usable);
      if (base64Alphabet.test(carry)) throw new Error("not a base64 character");
      return decodeGroups(text.slice(0, usable));
    },
    end() {
      if (carry.length > 0) throw new Error(`body ends with ${carry.length} character(s) of an incomplete group`);
    },
  };
}

/** Whole 4-character groups; padding ('=' or '==') may end any group, which then ends a segment. */
function decodeGroups(text: string): Buffer {
  if (text.length === 0) return Buffer.alloc(0);
  const bad = base64Alphabet.exec(text);
  if (bad) throw new Error(`not a base64 character at ${bad.index}`);
  let pad = text.indexOf("=");
  if (pad < 0) return Buffer.from(text, "base64");
  const segments: Buffer[] = [];
  let start = 0;
  while (pad >= 0) {
    const inGroup = pad % 4;
    // "xx==" or "xxx=": anything else ("x===", "=xxx", "xx=x") is not base64.
    if (inGroup < 2 || (inGroup === 2 && text[pad + 1] !== "=")) throw new Error(`misplaced padding at ${pad}`);
    const groupEnd = pad - inGroup + 4;
    segments.push(Buffer.from(text.slice(start, groupEnd), "base64"));
    start = groupEnd;
    pad = text.indexOf("=", start);
  }
  if (start < text.length) segments.push(Buffer.from(text.slice(start), "base64"));
  return segments.length === 1 ? segments[0] : Buffer.concat(segments);
}
