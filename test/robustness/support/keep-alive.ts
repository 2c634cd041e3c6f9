// HTTP/1.1 keep-alive, byte by byte: one request on a raw socket, its headers and body sent as separate
// segments (as clients that stream a body do), the response read to its end, then a short wait to see whether
// the server closes a connection it has just promised to keep ("connection: keep-alive"). A client that
// believed the promise would send its next call into that closing socket and see it fail.
import net from "node:net";

export interface Http1Exchange {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  keepAlivePromised: boolean;
  closedAfterAnswer: boolean;
}

const SETTLE_MS = 150;

/** Index just past a complete response in `data`, or -1 while it is incomplete. */
function responseEnd(data: Buffer): { end: number; status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const head = data.indexOf("\r\n\r\n");
  if (head < 0) return undefined;
  const lines = data.subarray(0, head).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let at = head + 4;
  if (headers["content-length"] !== undefined) {
    const end = at + Number(headers["content-length"]);
    return end <= data.length ? { end, status, headers, body: data.subarray(at, end) } : undefined;
  }
  if (headers["transfer-encoding"] !== "chunked") return undefined; // read until close
  const chunks: Buffer[] = [];
  for (;;) {
    const eol = data.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, eol).toString("latin1"), 16);
    if (data.length < eol + 2 + size + 2) return undefined;
    chunks.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
    if (size === 0) return { end: at, status, headers, body: Buffer.concat(chunks) };
  }
}

export function exchangeHttp1(port: number, path: string, headers: Record<string, string>, body: Uint8Array, timeoutMs = 15_000): Promise<Http1Exchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let answer: ReturnType<typeof responseEnd>;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete HTTP/1.1 answer within ${timeoutMs} ms (${path}); got ${JSON.stringify(data.toString("latin1").slice(0, 300))}`));
    }, timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      setTimeout(() => {
        socket.destroy();
        const promised = (answer!.headers.connection ?? "keep-alive").toLowerCase() !== "close";
        resolve({ status: answer!.status, headers: answer!.headers, body: answer!.body, keepAlivePromised: promised, closedAfterAnswer: closed });
      }, SETTLE_MS);
    };
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (answer) return;
      answer = responseEnd(data);
      if (answer) settle();
    });
    socket.on("end", () => (closed = true));
    socket.on("close", () => {
      closed = true;
      if (!answer) {
        clearTimeout(timer);
        reject(new Error(`the connection closed before a complete HTTP/1.1 answer (${path}); got ${JSON.stringify(data.toString("latin1").slice(0, 300))}`));
      }
    });
    socket.on("error", () => {}); // a reset shows as 'close'
    const head = [`POST ${path} HTTP/1.1`, "host: 127.0.0.1", `content-length: ${body.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join("\r\n");
    socket.write(`${head}\r\n\r\n`);
    // The body as a second segment, a moment later: the server may answer from the headers alone.
    setTimeout(() => socket.write(body), 10);
  });
}
