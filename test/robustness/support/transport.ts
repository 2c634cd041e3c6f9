// Raw transport clients for the robustness tests: bodies that never end (or end after `total` bytes) sent over
// HTTP/1.1 and h2c with backpressure, recording how much had been sent when the server answered.
import http2 from "node:http2";
import net from "node:net";

export interface Endless {
  /** The first bytes of the body (an envelope prefix, a JSON start…); then `filler` repeats until `total`. */
  head: Buffer;
  filler?: Buffer;
  total: number;
}

export interface H1Answer { status: number; text: string; sentWhenAnswered: number; sent: number; closedByServer: boolean }
export interface H2Answer { headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; data: Buffer; sentWhenAnswered: number; sent: number; rstCode?: number }

const defaultFiller = Buffer.alloc(64 * 1024, 0x61);

/** A request over a raw HTTP/1.1 socket; the body is chunked unless `headers` sets content-length. */
export function endlessH1(url: string, path: string, headers: Record<string, string>, body: Endless, timeoutMs = 20_000): Promise<H1Answer> {
  const { port, hostname } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunked = !Object.keys(headers).some((h) => h.toLowerCase() === "content-length");
  const head = [`POST ${path} HTTP/1.1`, `host: ${hostname}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(chunked ? ["transfer-encoding: chunked"] : []), "", ""].join("\r\n");
  let sent = 0;
  let sentWhenAnswered = -1;
  let received = Buffer.alloc(0);
  let done = false;
  const filler = body.filler ?? defaultFiller;
  const frame = (b: Buffer) => (chunked ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n")]) : b);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms (sent ${sent})`)), timeoutMs);
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString("latin1");
      if (error && sentWhenAnswered < 0) return reject(error);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, sentWhenAnswered, sent, closedByServer: !error || error.message !== "timeout" });
    };
    socket.on("data", (chunk: Buffer) => {
      if (sentWhenAnswered < 0) sentWhenAnswered = sent;
      received = Buffer.concat([received, chunk]);
    });
    socket.on("error", () => finish());
    socket.on("close", () => finish());
    socket.on("connect", () => {
      socket.write(head);
      const pump = () => {
        while (!done && sent < body.total) {
          const piece = sent === 0 ? body.head : filler.subarray(0, Math.min(filler.length, body.total - sent));
          sent += piece.length;
          if (!socket.write(frame(piece))) return void socket.once("drain", pump);
        }
        if (!done && chunked) socket.write("0\r\n\r\n");
      };
      pump();
    });
  });
}

/** A request on an h2c stream; the body goes out with backpressure until the server answers and closes. */
export function endlessH2(url: string, path: string, headers: Record<string, string>, body: Endless, timeoutMs = 20_000): Promise<H2Answer> {
  const session = http2.connect(url);
  session.on("error", () => {});
  const stream = session.request({ ":method": "POST", ":path": path, ...headers });
  let sent = 0;
  let sentWhenAnswered = -1;
  const data: Buffer[] = [];
  let responseHeaders: http2.IncomingHttpHeaders = {};
  let trailers: http2.IncomingHttpHeaders = {};
  let done = false;
  const filler = body.filler ?? defaultFiller;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms (sent ${sent})`)), timeoutMs);
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rstCode = stream.rstCode;
      stream.destroy();
      session.destroy();
      if (error && sentWhenAnswered < 0) return reject(error);
      resolve({ headers: responseHeaders, trailers, data: Buffer.concat(data), sentWhenAnswered, sent, rstCode });
    };
    stream.on("response", (h) => {
      if (sentWhenAnswered < 0) sentWhenAnswered = sent;
      responseHeaders = h;
    });
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => data.push(chunk));
    // node's client keeps a stream whose upload is blocked open after the server's reset: the answer is complete at 'end'.
    stream.on("end", () => finish());
    stream.on("error", () => finish());
    stream.on("close", () => finish());
    const pump = () => {
      while (!done && sent < body.total) {
        const piece = sent === 0 ? body.head : filler.subarray(0, Math.min(filler.length, body.total - sent));
        sent += piece.length;
        if (!stream.write(piece)) return void stream.once("drain", pump);
      }
      if (!done) stream.end();
    };
    pump();
  });
}

/** A 5-byte envelope prefix announcing `length` bytes. */
export function prefix(length: number, flags = 0): Buffer {
  const out = Buffer.alloc(5);
  out[0] = flags;
  out.writeUInt32BE(length, 1);
  return out;
}

/** A connected raw TCP socket (errors are expected and ignored). */
export function connectRaw(url: string): Promise<net.Socket> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

/** Sends `bytes` and waits for the server to close the connection; what came back and when it closed. */
export async function rawExchange(url: string, bytes: Buffer, timeoutMs: number): Promise<{ received: string; closedAfterMs: number }> {
  const socket = await connectRaw(url);
  const started = Date.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  if (bytes.length > 0) socket.write(bytes);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedAfterMs: Number.POSITIVE_INFINITY });
    }, timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}
