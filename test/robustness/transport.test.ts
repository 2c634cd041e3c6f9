// The one port never falls over: resets, garbage and silence on raw sockets, bodies that never end on every
// protocol path, malformed URLs for the static files, and the connection cap. Each case runs against the real
// server (PostgreSQL backend) with short configured timeouts, and after each one the server must still answer.
import { execFileSync } from "node:child_process";
import http2 from "node:http2";
import net from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createClient } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { transportFor } from "../support/clients.js";
import { repoRoot, startPostgresServer, type TestServer } from "../support/server.js";
import { connectRaw, type Endless, endlessH1, endlessH2, prefix, rawExchange } from "./support/transport.js";

const MiB = 1024 * 1024;
const MAX = 4 * MiB; // the default maxMessageBytes
const TIMEOUTS = { firstByte: 300, headers: 300, body: 1000, idle: 500 };
const CHECK = "/grpc.health.v1.Health/Check";
const WATCH = "/grpc.health.v1.Health/Watch";

let server: TestServer;
beforeAll(async () => {
  // The static handler reads the bundle at start-up: make sure its precompressed variants exist (as `npm ci` leaves them).
  execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "scripts", "precompress-web.ts")], { cwd: repoRoot });
  server = await startPostgresServer("transport", {
    POLITY_FIRST_BYTE_TIMEOUT_MS: String(TIMEOUTS.firstByte),
    POLITY_HEADERS_TIMEOUT_MS: String(TIMEOUTS.headers),
    POLITY_REQUEST_BODY_TIMEOUT_MS: String(TIMEOUTS.body),
    POLITY_IDLE_TIMEOUT_MS: String(TIMEOUTS.idle),
    POLITY_MAX_CONNECTIONS: "64",
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  // Whatever the case did, the process is alive and serves the next caller.
  const res = await fetch(`${server.url}${CHECK}`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: "{}" });
  expect(await res.json()).toEqual({ status: "SERVING" });
});

describe("raw sockets", () => {
  it("survives connections reset before, during and after the first bytes", async () => {
    for (const first of ["", "GET / HTTP/1.1\r\nHo", "PRI * HTTP/2.0\r\n", "POST /grpc.health.v1.Health/Check HTTP/1.1\r\ncontent-length: 100\r\n\r\nabc"]) {
      const socket = await connectRaw(server.url);
      if (first) socket.write(first);
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it("closes connections that open with garbage", async () => {
    for (const garbage of ["PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + "\xff".repeat(64), "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "\x00\x00\x00\x00\x00\x00", "GARBAGE / HTTP/9.9\r\n\r\n"]) {
      const { closedAfterMs } = await rawExchange(server.url, Buffer.from(garbage, "latin1"), 5000);
      expect(closedAfterMs, JSON.stringify(garbage)).toBeLessThan(3000);
    }
  });

  it("closes sockets that send nothing, within the first-byte timeout", async () => {
    const { closedAfterMs, received } = await rawExchange(server.url, Buffer.alloc(0), 5000);
    expect(received).toBe("");
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.firstByte - 50);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.firstByte + 1500);
  });

  it("answers 408 and closes HTTP/1.1 requests whose headers never finish", async () => {
    const { closedAfterMs, received } = await rawExchange(server.url, Buffer.from("GET /metrics HTTP/1.1\r\nhost: x\r\nx-slow: "), 5000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.headers + 1500);
  });

  it("closes an HTTP/1.1 request whose body never finishes, within the request timeout", async () => {
    const head = `POST ${CHECK} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"service":"`;
    const { closedAfterMs } = await rawExchange(server.url, Buffer.from(head), 5000);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.body + 1500);
  });

  it("closes a half-sent HTTP/2 preface and an idle HTTP/2 session", async () => {
    const partial = await rawExchange(server.url, Buffer.from("PRI * HTTP/2.0\r\n"), 5000);
    expect(partial.closedAfterMs).toBeLessThan(TIMEOUTS.firstByte + 1500);
    const session = http2.connect(server.url);
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      session.once("close", () => resolve());
      session.once("error", reject);
    });
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.idle + 1500);
  });

  it("resets an HTTP/2 stream whose request body stalls, and keeps the session", async () => {
    const session = http2.connect(server.url);
    const stream = session.request({ ":method": "POST", ":path": CHECK, "content-type": "application/grpc", te: "trailers" });
    stream.write(prefix(100));
    const started = Date.now();
    const code = await new Promise<number>((resolve) => {
      stream.on("error", () => {});
      stream.once("close", () => resolve(stream.rstCode ?? -1));
    });
    expect(code).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.body - 50);
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.body + 1500);
    session.destroy();
  });

  it("never cuts a server-streaming call whose request is complete, however long it stays quiet", async () => {
    const client = createClient(Health, transportFor(server.url, "grpc"));
    const abort = new AbortController();
    const watch = client.watch({ service: "" }, { signal: abort.signal })[Symbol.asyncIterator]();
    expect((await watch.next()).done).toBe(false);
    const quiet = 3 * Math.max(TIMEOUTS.idle, TIMEOUTS.body);
    const next = watch.next().then(() => "ended", () => "failed");
    expect(await Promise.race([next, new Promise((resolve) => setTimeout(() => resolve("still open"), quiet))])).toBe("still open");
    abort.abort();
    await next;
  });
});

describe("requests answered before their bodies were read", () => {
  // node's http2 client never releases the memory of a body it had queued for a stream the server reset, and
  // refuses every new stream (ENHANCE_YOUR_CALM) once 10 MB piled up: the server reads such bodies to their end.
  it("h2c: a node client's session keeps serving after 60 calls answered before their 400 KB bodies were read", async () => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const post = (headers: Record<string, string>, body: Buffer) => new Promise<string>((resolve) => {
      const stream = session.request({ ":method": "POST", ":path": CHECK, ...headers });
      let status = "";
      stream.on("response", (h) => (status = String(h["grpc-status"] ?? h[":status"])));
      stream.on("trailers", (t) => (status = String(t["grpc-status"] ?? status)));
      stream.on("error", (e: Error) => resolve(e.message));
      stream.on("close", () => resolve(status));
      stream.resume();
      stream.end(body);
    });
    const oversized = Buffer.concat([prefix(MAX + 1), Buffer.alloc(400_000, 0x61)]);
    const text = Buffer.from(oversized.toString("base64")).subarray(0, 400_000);
    const answers: string[] = [];
    for (let i = 0; i < 60; i++) {
      // Both refuse the envelope from its prefix; gRPC-Web text carries its status in the (base64) body, so HTTP says 200.
      answers.push(i % 2 === 0 ? await post({ "content-type": "application/grpc-web-text" }, text) : await post({ "content-type": "application/grpc", te: "trailers" }, oversized));
    }
    expect(answers.filter((a, i) => a !== (i % 2 === 0 ? "200" : "8"))).toEqual([]);
    expect(await post({ "content-type": "application/grpc", te: "trailers" }, prefix(0))).toBe("0");
    session.close();
  });
});

describe("undecodable request messages on connect-node's streams", () => {
  // connect-node says Internal (and logs an error) for a frame flagged compressed in a request that declared no
  // encoding, and never answers when a JSON parse error quotes half a surrogate pair (encodeURIComponent throws
  // on it); the wire-error interceptor refiles the one and makes the other's message sendable.
  it.each([
    ["gRPC, a frame flagged compressed without grpc-encoding", "application/grpc", prefix(0, 1), /^malformed request message: received compressed envelope, but the request declared no encoding$/],
    ["gRPC-Web, a frame flagged compressed without grpc-encoding", "application/grpc-web+proto", prefix(0, 1), /^malformed request message: received compressed envelope, but the request declared no encoding$/],
    ["gRPC with the JSON codec, a parse error quoting half an emoji", "application/grpc+json", Buffer.concat([prefix(81), Buffer.from(`!${"😀".repeat(20)}`)]), /^malformed request message: parse json: cannot decode message .*😀\uFFFD/],
  ])("server streaming, %s: InvalidArgument MALFORMED_MESSAGE, no error logged", async (_name, type, body, message) => {
    const from = server.logs.length;
    const session = http2.connect(server.url);
    const stream = session.request({ ":method": "POST", ":path": WATCH, "content-type": type, te: "trailers" });
    stream.end(body);
    const headers: http2.IncomingHttpHeaders = {};
    let data = Buffer.alloc(0);
    stream.on("response", (h) => Object.assign(headers, h));
    stream.on("trailers", (t) => Object.assign(headers, t));
    stream.on("data", (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
    await new Promise((resolve) => stream.once("close", resolve));
    session.close();
    // gRPC-Web carries its status in a trailer frame at the end of the body.
    const status = type.startsWith("application/grpc-web") ? Object.fromEntries(data.subarray(5).toString().split("\r\n").filter(Boolean).map((l) => l.split(": "))) : headers;
    expect(status["grpc-status"]).toBe(String(3));
    expect(decodeURIComponent(String(status["grpc-message"]))).toMatch(message);
    expect(server.logs.slice(from).filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  });
});

describe("bodies that never end", () => {
  const grpcHeaders = { "content-type": "application/grpc", te: "trailers" };
  const grpcWebHeaders = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };
  // An envelope that announces a legal size, then an upload that never stops.
  const legalEnvelope = prefix(MAX);
  const total = 64 * MiB;
  const grpcStatus = (answer: { headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders }) => answer.trailers["grpc-status"] ?? answer.headers["grpc-status"];

  // connect-node reads envelope by envelope: after a first (empty) message, the next prefix is read from the
  // endless filler ("aaaa" announces 1.6 GB) and refused; a stream of empty messages is refused as extra input.
  const emptyThenEndless = prefix(0);
  const emptyMessages = Buffer.alloc(64 * 1024);
  const status = (a: never) => (a as { status: number }).status;
  const h2Status = (a: never) => (a as { headers: http2.IncomingHttpHeaders }).headers[":status"];
  type Case = [string, "1.1" | "2", string, Record<string, string>, Endless, (answer: never) => void];
  const cases: Case[] = [
    ["gRPC unary (fast path)", "2", CHECK, grpcHeaders, { head: legalEnvelope, total }, (a: never) => expect([grpcStatus(a), reasonOf(a)]).toEqual(["8", "MESSAGE_TOO_LARGE"])],
    ["gRPC unary, gzip (connect-node)", "2", CHECK, { ...grpcHeaders, "grpc-encoding": "gzip" }, { head: Buffer.concat([prefix(MAX, 1), gzipSync(Buffer.alloc(64 * MiB))]), total }, (a: never) => expect(grpcStatus(a)).toBe("8")],
    ["gRPC server streaming (connect-node)", "2", WATCH, grpcHeaders, { head: emptyThenEndless, total }, (a: never) => expect(grpcStatus(a)).toBe("8")],
    ["gRPC server streaming, endless empty messages (connect-node)", "2", WATCH, grpcHeaders, { head: emptyThenEndless, filler: emptyMessages, total }, (a: never) => expect(grpcStatus(a)).toBe("12")],
    ["gRPC-Web binary over HTTP/1.1 (fast path)", "1.1", CHECK, grpcWebHeaders, { head: legalEnvelope, total }, (a: never) => expect(grpcWebStatus(a)).toBe("8")],
    ["gRPC-Web binary over h2c (fast path)", "2", CHECK, grpcWebHeaders, { head: legalEnvelope, total }, (a: never) => expect(grpcWebStatusH2(a)).toBe("8")],
    ["gRPC-Web server streaming over HTTP/1.1 (connect-node)", "1.1", WATCH, grpcWebHeaders, { head: emptyThenEndless, total }, (a: never) => expect(grpcWebStatus(a)).toBe("8")],
    ["gRPC-Web server streaming over h2c, endless empty messages (connect-node)", "2", WATCH, grpcWebHeaders, { head: emptyThenEndless, filler: emptyMessages, total }, (a: never) => expect(grpcWebStatusH2(a)).toBe("12")],
    ["gRPC-Web text (base64) over HTTP/1.1 (text adapter, fast path)", "1.1", CHECK, { "content-type": "application/grpc-web-text" }, { head: Buffer.from(legalEnvelope.toString("base64")), filler: Buffer.from("YWFh".repeat(16384)), total }, (a: never) => expect([status(a), grpcWebTextStatus(a)]).toEqual([200, "8"])],
    ["Connect JSON, chunked over HTTP/1.1 (fast path)", "1.1", CHECK, { "content-type": "application/json" }, { head: Buffer.from('{"service":"'), total }, (a: never) => expect([status(a), (a as { text: string }).text.includes('"reason":"MESSAGE_TOO_LARGE"')]).toEqual([429, true])],
    ["Connect binary, chunked over HTTP/1.1 (fast path)", "1.1", CHECK, { "content-type": "application/proto" }, { head: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x7f]), total }, (a: never) => expect(status(a)).toBe(429)],
    ["Connect JSON over h2c without content-length (fast path)", "2", CHECK, { "content-type": "application/json" }, { head: Buffer.from('{"service":"'), total }, (a: never) => expect(h2Status(a)).toBe(429)],
    ["Connect binary over h2c with a lying content-length (fast path)", "2", CHECK, { "content-type": "application/proto", "content-length": "10" }, { head: Buffer.from([0x0a, 0x08]), total }, (a: never) => expect((a as { rstCode?: number }).rstCode).toBeGreaterThan(0)], // more DATA than promised: the stream is reset
    ["Connect JSON over HTTP/1.1 with a lying content-length (fast path)", "1.1", CHECK, { "content-type": "application/json", "content-length": "12" }, { head: Buffer.from('{"service":"'), total }, (a: never) => expect((a as { text: string }).text).toMatch(/^HTTP\/1\.1 400/)], // what follows the 12 bytes is no request
    ["Connect JSON, gzip over HTTP/1.1 (connect-node)", "1.1", CHECK, { "content-type": "application/json", "content-encoding": "gzip" }, { head: gzipSync(Buffer.alloc(64 * MiB, 0x20)), total }, (a: never) => expect(status(a)).toBe(429)],
    ["Connect server streaming over HTTP/1.1 (connect-node)", "1.1", WATCH, { "content-type": "application/connect+proto" }, { head: emptyThenEndless, total }, (a: never) => expect((a as { text: string }).text).toContain("resource_exhausted")],
    ["Connect server streaming over h2c (connect-node)", "2", WATCH, { "content-type": "application/connect+json" }, { head: Buffer.concat([prefix(2), Buffer.from("{}")]), total }, (a: never) => expect((a as { data: Buffer }).data.toString()).toContain("resource_exhausted")],
    ["Connect server streaming over h2c, endless empty messages (connect-node)", "2", WATCH, { "content-type": "application/connect+proto" }, { head: emptyThenEndless, filler: emptyMessages, total }, (a: never) => expect((a as { data: Buffer }).data.toString()).toContain("unimplemented")],
  ];

  it.each(cases)("%s: refused before the upload ends, and the server stops reading", async (_name, version, path, headers, body, check) => {
    const answer = version === "1.1" ? await endlessH1(server.url, path, headers, body) : await endlessH2(server.url, path, headers, body);
    check(answer as never);
    expect(answer.sentWhenAnswered).toBeLessThan(body.total);
    expect(answer.sent).toBeLessThan(body.total); // the server closed its side: the upload could not go on
    // ...because it answered, not because the request timeout cut a connection it kept reading from.
    if ("text" in answer) expect(answer.text).not.toContain(" 408 ");
  });

  it.each([
    ["gRPC (h2c)", "2", grpcHeaders],
    ["gRPC-Web (HTTP/1.1)", "1.1", grpcWebHeaders],
    ["gRPC-Web (h2c)", "2", grpcWebHeaders],
  ] as const)("%s: a 256 MiB endless body costs the server less than 64 MiB", async (_name, version, headers) => {
    const body = { head: legalEnvelope, total: 256 * MiB };
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const answer = version === "1.1" ? await endlessH1(server.url, CHECK, headers, body) : await endlessH2(server.url, CHECK, headers, body);
      expect(answer.sent).toBeLessThan(body.total);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - before).toBeLessThan(64 * MiB);
  });
});

describe("static files", () => {
  it("answers malformed paths with 400 and keeps serving the GUI", async () => {
    for (const path of ["/%E0%A4%A", "//", "//a:99999", "/%00", "/a%2", "__proto__", "constructor", "*"]) {
      const { received } = await rawExchange(server.url, Buffer.from(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`), 5000);
      expect(received, path).toMatch(/^HTTP\/1\.1 (400|404)/);
    }
    for (const path of ["/%E0%A4%A", "//", "//a:99999"]) expect((await fetch(`${server.url}${path}`)).status, path).toBe(400);
    const spa = await fetch(`${server.url}/orgs/some/route`);
    expect(spa.status).toBe(200);
    expect(await spa.text()).toContain("<!doctype html");
    expect((await fetch(`${server.url}/assets/missing-file.js`)).status).toBe(404);
  });

  it("serves the built bundle with ETags, ranges and its precompressed variants", async () => {
    const index = await (await fetch(`${server.url}/`)).text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const url = `${server.url}/${script}`;
    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    const size = (await plain.arrayBuffer()).byteLength;
    expect(plain.headers.get("cache-control")).toContain("immutable");
    const etag = plain.headers.get("etag")!;
    expect(etag).toBeTruthy();
    expect((await fetch(url, { headers: { "if-none-match": etag, "accept-encoding": "identity" } })).status).toBe(304);
    const range = await fetch(url, { headers: { range: "bytes=0-99", "accept-encoding": "identity" } });
    expect([range.status, (await range.arrayBuffer()).byteLength]).toEqual([206, 100]);
    const reversed = await fetch(url, { headers: { range: "bytes=99-0", "accept-encoding": "identity" } });
    expect([reversed.status, (await reversed.arrayBuffer()).byteLength]).toEqual([200, size]);
    const { received } = await rawExchange(server.url, Buffer.from(`GET /${script} HTTP/1.1\r\nhost: x\r\naccept-encoding: br\r\nconnection: close\r\n\r\n`), 5000);
    expect(received.toLowerCase()).toContain("content-encoding: br");
  });
});

describe("the connection cap", () => {
  it("closes new connections past the cap at once, and lets clients in again once idle sockets time out", async () => {
    // 80 silent sockets at once against a cap of 64: the ones past the cap are closed at once, long before the
    // first-byte timeout would close them.
    const held = await Promise.all(Array.from({ length: 80 }, () => connectRaw(server.url)));
    const closed = new Set<net.Socket>();
    for (const socket of held) socket.once("close", () => closed.add(socket));
    await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.firstByte / 3));
    expect(closed.size).toBeGreaterThanOrEqual(80 - 64);
    expect(closed.size).toBeLessThan(80);
    // The rest never send a byte: the first-byte timeout frees their places, and a real client gets in.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.firstByte + 500));
    expect(closed.size).toBe(80);
    const client = createClient(Health, transportFor(server.url, "grpc"));
    expect((await client.check({})).status).toBe(1);
    for (const socket of held) socket.destroy();
  });
});

function reasonOf(answer: { headers: http2.IncomingHttpHeaders }): string | undefined {
  const headers = new Headers(Object.entries(answer.headers).filter(([name]) => !name.startsWith(":")) as [string, string][]);
  const error = findTrailerError(headers);
  return error?.findDetails(ErrorInfoSchema)[0]?.reason;
}
function grpcWebStatus(answer: { text: string }): string | undefined {
  return /grpc-status: ?(\d+)/.exec(answer.text)?.[1];
}
function grpcWebTextStatus(answer: { text: string }): string | undefined {
  // One padded base64 segment per write: decode each, then read the trailer frame.
  const bytes = Buffer.concat((answer.text.match(/[A-Za-z0-9+/]+=*/g) ?? []).map((segment) => Buffer.from(segment, "base64")));
  return /grpc-status: ?(\d+)/.exec(bytes.toString("latin1"))?.[1];
}
function grpcWebStatusH2(answer: { data: Buffer }): string | undefined {
  return /grpc-status: ?(\d+)/.exec(answer.data.toString("latin1"))?.[1];
}
