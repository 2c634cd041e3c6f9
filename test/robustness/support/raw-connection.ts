// Bytes straight onto a TCP connection to the port, for framing that no HTTP client library will produce: broken
// request lines, lying content-lengths, bad chunking, oversized headers, HTTP/2 frames after the preface.
import net from "node:net";
import fc from "fast-check";

export interface RawExchange {
  data: Buffer;
  closedByServer: boolean;
}

/** Writes `bytes`, then collects what comes back until the server closes or `waitMs` passes. */
export function sendRaw(port: number, bytes: Uint8Array, waitMs = 150): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => (closedByServer = true));
    socket.on("close", () => ((closedByServer = true), done()));
    socket.on("error", () => {});
    socket.write(bytes);
  });
}

export const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

const path = fc.constantFrom("/polity.sys.auth.v1.AuthService/WhoAmI", "/grpc.health.v1.Health/Check", "/", "/metrics", "*", "//", "/%00", "/../../etc/passwd");
const crlf = "\r\n";

/** Broken HTTP/1.1 requests: each is a whole connection's worth of bytes. */
export const brokenHttp1: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(path, fc.integer({ min: 1, max: 1000 })).map(([p, n]) => `POST ${p} HTTP/1.1${crlf}host: x${crlf}content-type: application/json${crlf}content-length: ${n + 10}${crlf}${crlf}${"{".repeat(n)}`),
  fc.tuple(path, fc.constantFrom("zz", "-1", "ffffffffffffffffff", "5;ext=\"x", "")).map(([p, size]) =>
    `POST ${p} HTTP/1.1${crlf}host: x${crlf}content-type: application/json${crlf}transfer-encoding: chunked${crlf}${crlf}${size}${crlf}{}${crlf}0${crlf}${crlf}`),
  path.map((p) => `POST ${p} HTTP/1.1${crlf}host: x${crlf}content-length: 2${crlf}transfer-encoding: chunked${crlf}${crlf}0${crlf}${crlf}`),
  path.map((p) => `POST ${p} HTTP/1.1${crlf}host: x${crlf}content-length: 1${crlf}content-length: 2${crlf}${crlf}{}`),
  path.map((p) => `POST ${p} HTTP/1.1${crlf}host: x${crlf}x-big: ${"a".repeat(70_000)}${crlf}${crlf}`),
  path.map((p) => `POST ${p} HTTP/1.1${crlf}no colon here${crlf}${crlf}`),
  fc.constantFrom("GET\r\n\r\n", "HELLO\r\n\r\n", "POST / HTTP/9.9\r\n\r\n", "\r\n\r\n\r\n", `GET / HTTP/1.1${crlf}host: x${crlf}${crlf}GET /metrics HTTP/1.1${crlf}${crlf}`),
  fc.tuple(path, fc.uint8Array({ maxLength: 200 })).map(([p, junk]) => Buffer.concat([Buffer.from(`POST ${p} HTTP/1.1${crlf}`), junk])),
).map((v) => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "latin1")) : v));

function h2frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream >>> 0, 5);
  return Buffer.concat([head, payload]);
}

/** The HTTP/2 preface, then frames of any type, flags and stream, or plain junk. */
export const brokenH2: fc.Arbitrary<Uint8Array> = fc.tuple(
  fc.boolean(),
  fc.array(fc.record({ type: fc.integer({ min: 0, max: 12 }), flags: fc.integer({ min: 0, max: 255 }), stream: fc.oneof(fc.constantFrom(0, 1, 3), fc.nat()), payload: fc.uint8Array({ maxLength: 64 }) }), { maxLength: 6 }),
  fc.uint8Array({ maxLength: 64 }),
).map(([settingsFirst, frames, junk]) => Buffer.concat([H2_PREFACE, ...(settingsFirst ? [h2frame(4, 0, 0, new Uint8Array())] : []), ...frames.map((f) => h2frame(f.type, f.flags, f.stream, f.payload)), junk]));
