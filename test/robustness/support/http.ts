// Raw HTTP/1.1 and h2c POSTs with full control of headers and body (no client-side framing, no default
// accept-encoding), answering the status, headers, trailers and body as received. h2c calls share one session. A streamed answer can be cut
// short once `enough` says so; a server that does not answer within the time limit is reported as such.
import http from "node:http";
import http2 from "node:http2";

export type HttpVersion = "h1" | "h2";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  trailers: Record<string, string>;
  body: Buffer;
  /** We stopped reading (enough was said) before the server ended the response. */
  cut: boolean;
}

export interface PostOptions {
  timeoutMs: number;
  enough?: (body: Buffer) => boolean;
}

export interface RawHttp {
  post(version: HttpVersion, path: string, headers: Record<string, string>, body: Uint8Array, options: PostOptions): Promise<RawAnswer>;
  /** Later h2c calls go on a new connection, so one test's connection state cannot fail the next test. */
  fresh(): void;
  close(): void;
}

const flat = (headers: Record<string, unknown>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  return out;
};

export function createRawHttp(baseUrl: string): RawHttp {
  const url = new URL(baseUrl);
  // One connection per HTTP/1.1 call ("connection: close"): whether the server keeps its keep-alive promise is
  // keep-alive.ts's question; here one call's framing must not decide the fate of the next.
  const agent = new http.Agent({ keepAlive: false, maxSockets: 16 });
  let session: http2.ClientHttp2Session | undefined;
  const h2session = () => {
    if (!session || session.closed || session.destroyed) {
      session = http2.connect(baseUrl);
      session.on("error", () => {}); // surfaces on the stream that was in flight
      session.unref();
    }
    return session;
  };

  const h1 = (path: string, headers: Record<string, string>, body: Uint8Array, { timeoutMs, enough }: PostOptions) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const req = http.request({ agent, host: url.hostname, port: url.port, method: "POST", path, headers: { ...headers, "content-length": String(body.length) } });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer within ${timeoutMs} ms (HTTP/1.1 ${path})`));
      }, timeoutMs);
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      // The server may answer and close before the whole body is written (too large, refused early); the write
      // that then fails (EPIPE) can land after node's client has detached its own listener from the socket.
      req.on("socket", (socket) => socket.on("error", () => {}));
      req.on("response", (res) => {
        const done = (cut: boolean) => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), trailers: flat(res.trailers ?? {}), body: Buffer.concat(chunks), cut });
        };
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (enough?.(Buffer.concat(chunks))) {
            req.destroy();
            done(true);
          }
        });
        res.on("end", () => done(false));
        res.on("error", () => {}); // a destroy after `enough`
      });
      req.end(body);
    });

  const h2 = (path: string, headers: Record<string, string>, body: Uint8Array, { timeoutMs, enough }: PostOptions) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const head: Record<string, unknown> = {};
      const trailers: Record<string, unknown> = {};
      let settled = false;
      const stream = h2session().request({ ":method": "POST", ":path": path, ...headers });
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => settle(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer within ${timeoutMs} ms (h2c ${path})`));
      }), timeoutMs);
      const answer = (cut: boolean): RawAnswer => ({ status: Number(head[":status"] ?? 0), headers: flat(head), trailers: flat(trailers), body: Buffer.concat(chunks), cut });
      stream.on("response", (h) => Object.assign(head, h));
      stream.on("trailers", (t) => Object.assign(trailers, t));
      stream.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        if (!settled && enough?.(Buffer.concat(chunks))) {
          settle(() => resolve(answer(true)));
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      stream.on("error", (e) => settle(() => reject(e)));
      stream.on("close", () => settle(() => {
        // A stream reset by the server before any response headers is not an answer.
        if (head[":status"] === undefined) reject(new Error(`h2c stream closed without a response (rst code ${stream.rstCode}) ${path}`));
        else resolve(answer(false));
      }));
      stream.end(body);
    });

  return {
    post: (version, path, headers, body, options) => (version === "h1" ? h1 : h2)(path, headers, body, options),
    fresh() {
      session?.close();
      session = undefined;
    },
    close() {
      agent.destroy();
      session?.close();
    },
  };
}
