// Reads a route's request body with a byte limit and a deadline, so a peer cannot make the server buffer more
// than the limit or wait forever. Once it gives up it stops reading: the server answers, and connection-limits
// drains (or cuts) whatever the peer still sends, as for an RPC answered early.
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { HttpError } from "./route.js";

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

export function createBodyReader(req: IncomingMessage | Http2ServerRequest, { maxBytes, timeoutMs }: BodyLimits): () => Promise<Buffer> {
  let reading: Promise<Buffer> | undefined;
  return () => (reading ??= read(req, maxBytes, timeoutMs));
}

function read(req: IncomingMessage | Http2ServerRequest, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  // A declared length over the limit is refused before a byte is read; a lying one is caught by the count.
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onGone);
      req.off("close", onClose);
      req.off("error", onGone);
      if (error) {
        req.pause();
        return reject(error);
      }
      resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onGone = () => finish(new HttpError(400, "the request body did not arrive whole"));
    const onClose = () => (req.readableEnded || req.complete ? finish() : onGone());
    const timer = setTimeout(() => finish(new HttpError(408, `the request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("aborted", onGone);
    req.on("close", onClose);
    req.on("error", onGone);
    if (req.readableEnded) finish();
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the request body is larger than ${maxBytes} bytes`);
}
