// The forwarder's relay on its own, between real HTTP servers: an HTTP/2 upstream standing in for sys (it
// streams without end, echoes bodies, counts its sessions and sees resets) and the forwarder on an h2c and an
// HTTP/1.1 listener. Streams flow message by message, trailers and resets travel both ways, one session is
// reused and replaced after GOAWAY, and an unreachable sys is UNAVAILABLE in each protocol's own shape.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { frame } from "../grpc-fast-path.js";
import { createSysForwarder, type SysForwarder } from "./sys-forwarder.js";

const logger = pino({ level: "silent" });
const STREAM = "/polity.sys.test.v1.Relay/Stream";
const ECHO = "/polity.sys.test.v1.Relay/Echo";
const FLOOD = "/polity.sys.test.v1.Relay/Flood";

async function listen(server: http.Server | http2.Http2Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The forwarder behind an h2c listener and an HTTP/1.1 one, as a mod process has both on its port. */
async function front(forwarder: SysForwarder) {
  const handler = (req: never, res: { statusCode: number; end(): void }) => {
    if (!forwarder.handle(req, res as never)) {
      res.statusCode = 404;
      res.end();
    }
  };
  const h2 = http2.createServer(handler as never);
  const h1 = http.createServer(handler as never);
  // Clients keep their HTTP/2 sessions open; closing the listener must not wait for them.
  const sessions = new Set<http2.Http2Session>();
  h2.on("session", (s) => sessions.add(s));
  const [h2Url, h1Url] = await Promise.all([listen(h2), listen(h1)]);
  return {
    h2Url, h1Url,
    async close() {
      h1.closeAllConnections();
      for (const s of sessions) s.destroy();
      await Promise.all([new Promise((r) => h2.close(r)), new Promise((r) => h1.close(r)), forwarder.close()]);
    },
  };
}

async function until(check: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the sys forwarder's relay", () => {
  let upstream: http2.Http2Server;
  let upstreamUrl: string;
  let fronted: Awaited<ReturnType<typeof front>>;
  const sessions = new Set<http2.ServerHttp2Session>();
  let sessionCount = 0;
  const resets: number[] = [];
  const seen: http2.IncomingHttpHeaders[] = [];
  let flooded = 0;

  beforeAll(async () => {
    upstream = http2.createServer();
    upstream.on("session", (s) => {
      sessionCount++;
      sessions.add(s);
      s.once("close", () => sessions.delete(s));
    });
    upstream.on("stream", (stream, headers) => {
      seen.push(headers);
      stream.on("error", () => undefined);
      if (headers[":path"] === FLOOD) {
        // Writes as fast as the forwarder takes it; what it took is counted.
        stream.respond({ ":status": 200, "content-type": "application/grpc" });
        const chunk = Buffer.alloc(64 * 1024);
        const pump = () => {
          while (!stream.destroyed && stream.write(chunk)) flooded += chunk.length;
          if (!stream.destroyed) flooded += chunk.length;
        };
        stream.on("drain", pump);
        pump();
        return;
      }
      if (headers[":path"] === STREAM) {
        // A server stream that never ends by itself: one message every 20 ms until the caller goes away.
        stream.respond({ ":status": 200, "content-type": headers["content-type"] });
        let n = 0;
        const timer = setInterval(() => stream.write(frame(0, Buffer.from(`message ${n++}`))), 20);
        stream.once("close", () => {
          clearInterval(timer);
          resets.push(stream.rstCode);
        });
        return;
      }
      // Echo: the body back, then trailers.
      stream.respond({ ":status": 200, "content-type": "application/grpc", "x-upstream": "yes" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "x-echo-bytes": String(received) }));
      let received = 0;
      stream.on("data", (chunk: Buffer) => (received += chunk.length));
      stream.pipe(stream);
    });
    upstreamUrl = await listen(upstream);
    fronted = await front(createSysForwarder({ sysUrl: upstreamUrl, logger }));
  });
  afterAll(async () => {
    await fronted?.close();
    for (const s of sessions) s.destroy();
    await new Promise((r) => upstream.close(r));
  });

  it("relays a server stream message by message over HTTP/2, and a reset caller resets the upstream stream", async () => {
    const client = http2.connect(fronted.h2Url);
    const stream = client.request({ ":method": "POST", ":path": STREAM, "content-type": "application/grpc", te: "trailers" });
    stream.end(frame(0, Buffer.alloc(0)));
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await until(() => Buffer.concat(chunks).includes("message 3"));
    const before = resets.length;
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await until(() => resets.length > before);
    expect(resets.at(-1)).toBe(http2.constants.NGHTTP2_CANCEL);
    client.close();
  });

  it("relays a server stream over HTTP/1.1, and a caller that hangs up resets the upstream stream", async () => {
    const before = resets.length;
    const req = http.request(`${fronted.h1Url}${STREAM}`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" } });
    const res = await new Promise<IncomingMessage>((resolve) => req.once("response", resolve).end(frame(0, Buffer.alloc(0))));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/grpc-web+proto");
    let body = "";
    res.on("data", (c: Buffer) => (body += c.toString("latin1")));
    res.on("error", () => undefined);
    await until(() => body.includes("message 3"));
    req.destroy();
    await until(() => resets.length > before);
    expect(resets.at(-1)).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it("streams a large body both ways and relays headers and trailers as sent", async () => {
    const client = http2.connect(fronted.h2Url);
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    const stream = client.request({ ":method": "POST", ":path": ECHO, "content-type": "application/grpc", te: "trailers", "x-caller": "relay-test" });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    let received = 0;
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => (received += c.length));
    stream.end(body);
    await new Promise((r) => stream.once("close", r));
    client.close();
    expect(received).toBe(body.length);
    expect(headers["x-upstream"]).toBe("yes");
    expect(trailers).toMatchObject({ "grpc-status": "0", "x-echo-bytes": String(body.length) });
    const sent = seen.at(-1)!;
    expect(sent["x-caller"]).toBe("relay-test");
    expect(sent["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("reads from sys only as fast as the caller reads (HTTP/1.1 and HTTP/2)", async () => {
    for (const version of ["1.1", "2"]) {
      flooded = 0;
      let close: () => void;
      if (version === "1.1") {
        const req = http.request(`${fronted.h1Url}${FLOOD}`, { method: "POST", headers: { "content-type": "application/grpc-web" } });
        const res = await new Promise<IncomingMessage>((resolve) => req.once("response", resolve).end());
        res.pause(); // a caller that reads nothing
        res.on("error", () => undefined);
        close = () => req.destroy();
      } else {
        const client = http2.connect(fronted.h2Url);
        const stream = client.request({ ":method": "POST", ":path": FLOOD, "content-type": "application/grpc", te: "trailers" });
        stream.end();
        await new Promise((resolve) => stream.once("response", resolve));
        stream.pause();
        close = () => client.destroy();
      }
      await new Promise((r) => setTimeout(r, 300));
      const stalled = flooded;
      await new Promise((r) => setTimeout(r, 300));
      close();
      // Flow control windows and socket buffers hold a few MiB at most; a relay that buffered would take it all.
      expect(flooded, `HTTP/${version}`).toBe(stalled);
      expect(flooded, `HTTP/${version}`).toBeLessThan(16 * 1024 * 1024);
    }
  });

  it("keeps one session to sys, and opens a new one after GOAWAY", async () => {
    const echo = async () => {
      const client = http2.connect(fronted.h2Url);
      const stream = client.request({ ":method": "POST", ":path": ECHO, "content-type": "application/grpc", te: "trailers" });
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on("trailers", (t) => (trailers = t));
      stream.resume();
      stream.end(frame(0, Buffer.from("hi")));
      await new Promise((r) => stream.once("close", r));
      client.close();
      return trailers["grpc-status"];
    };
    const first = sessionCount;
    for (let i = 0; i < 5; i++) expect(await echo()).toBe("0");
    expect(sessionCount).toBe(first); // the session of the earlier tests
    for (const s of sessions) s.goaway(http2.constants.NGHTTP2_NO_ERROR);
    await new Promise((r) => setTimeout(r, 50));
    expect(await echo()).toBe("0");
    expect(sessionCount).toBe(first + 1);
  });
});

describe("the sys forwarder to an https sys", () => {
  it("speaks h2 over TLS to sys, trusting the CA it is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polity-relay-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    const [cert, key] = [readFileSync(join(dir, "cert.pem")), readFileSync(join(dir, "key.pem"))];
    rmSync(dir, { recursive: true, force: true });
    const upstream = http2.createSecureServer({ cert, key }, (req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ alpn: (req.socket as import("node:tls").TLSSocket).alpnProtocol, path: req.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const sysUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const fronted = await front(createSysForwarder({ sysUrl, logger, tls: { ca: cert } }));
    try {
      const res = await fetch(`${fronted.h1Url}/polity.sys.auth.v1.AuthService/WhoAmI`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(await res.json()).toEqual({ alpn: "h2", path: "/polity.sys.auth.v1.AuthService/WhoAmI" });
      // Without the CA the certificate is refused: UNAVAILABLE, never a plaintext or unverified fallback.
      const untrusting = await front(createSysForwarder({ sysUrl, logger }));
      const refused = await fetch(`${untrusting.h1Url}/polity.sys.auth.v1.AuthService/WhoAmI`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(refused.status).toBe(503);
      await untrusting.close();
    } finally {
      await fronted.close();
      await new Promise((r) => upstream.close(r));
    }
  });
});

describe("the sys forwarder with sys unreachable", () => {
  let fronted: Awaited<ReturnType<typeof front>>;
  beforeAll(async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    const url = await listen(probe);
    await new Promise((r) => probe.close(r));
    fronted = await front(createSysForwarder({ sysUrl: url, logger }));
  });
  afterAll(() => fronted?.close());

  const clients = {
    "gRPC": () => createGrpcTransport({ baseUrl: fronted.h2Url }),
    "gRPC-Web over HTTP/1.1": () => createGrpcWebTransport({ baseUrl: fronted.h1Url, httpVersion: "1.1" }),
    "gRPC-Web over h2c": () => createGrpcWebTransport({ baseUrl: fronted.h2Url, httpVersion: "2" }),
    "Connect over HTTP/1.1": () => createConnectTransport({ baseUrl: fronted.h1Url, httpVersion: "1.1" }),
    "Connect over h2c": () => createConnectTransport({ baseUrl: fronted.h2Url, httpVersion: "2" }),
  };
  for (const [name, transport] of Object.entries(clients)) {
    it(`answers UNAVAILABLE (SYS_UNAVAILABLE) to ${name}`, async () => {
      const error = await createClient(AuthService, transport()).whoAmI({}).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(error?.code).toBe(Code.Unavailable);
      expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SYS_UNAVAILABLE");
    });
  }

  it("answers gRPC trailers-only and Connect with HTTP 503", async () => {
    const client = http2.connect(fronted.h2Url);
    const stream = client.request({ ":method": "POST", ":path": "/polity.sys.auth.v1.AuthService/WhoAmI", "content-type": "application/grpc", te: "trailers" });
    stream.end(frame(0, Buffer.alloc(0)));
    const [headers, flags] = await new Promise<[http2.IncomingHttpHeaders, number]>((resolve) => stream.once("response", (h, f) => resolve([h, f])));
    expect(headers["grpc-status"]).toBe(String(Code.Unavailable));
    expect(flags & http2.constants.NGHTTP2_FLAG_END_STREAM).toBeTruthy();
    client.close();
    const res = await fetch(`${fronted.h1Url}/polity.sys.auth.v1.AuthService/WhoAmI`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "unavailable", details: [expect.objectContaining({ type: "google.rpc.ErrorInfo" })] });
    // Connect streaming: HTTP 200 and the error in the end-of-stream message.
    const streaming = await fetch(`${fronted.h1Url}/polity.sys.auth.v1.AuthService/WhoAmI`, { method: "POST", headers: { "content-type": "application/connect+json" }, body: new Uint8Array(frame(0, Buffer.from("{}"))) });
    expect(streaming.status).toBe(200);
    const end = Buffer.from(await streaming.arrayBuffer());
    expect(end[0]).toBe(2);
    expect(JSON.parse(end.subarray(5).toString())).toMatchObject({ error: { code: "unavailable" } });
  });

  it("leaves paths that are not sys's to the caller", async () => {
    const res = await fetch(`${fronted.h1Url}/polity.mod.voting.v1.VotingService/ListPolls`, { method: "POST" });
    expect(res.status).toBe(404);
  });
});
