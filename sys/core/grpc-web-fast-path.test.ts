// The gRPC-Web fast path must answer exactly as connect-node: every scenario is sent with the fast path on and
// off, as raw HTTP/1.1 and h2c requests (status, headers, body bytes — the reply frame and the trailer frame)
// and through connect-node's own gRPC-Web transport, and the answers must be the same — except for undecodable
// bodies (and frames flagged compressed without an encoding), which the fast path refuses with InvalidArgument
// (MALFORMED_MESSAGE) where connect-node says Internal.
import { Writable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { compressionGzip, createGrpcWebTransport, createNodeHttpClient } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { loadConfig } from "./config.js";
import { createHealthFixture, createPipelinedStack } from "./test-support.js";
import { createGrpcWebFastPath } from "./grpc-web-fast-path.js";
import { createMetrics } from "./metrics.js";
import { type RunningServer, startServer } from "./server.js";
import type { Req, Res } from "./unary-call.js";
import { frame } from "./grpc-fast-path.js";

const MAX = 4096;
const PATH = "/grpc.health.v1.Health/Check";
const ID = "req-fixed-1"; // a fixed request id makes headers and the sanitised Internal message comparable
const { impl, guard, validate, aborts } = createHealthFixture(MAX);
const metrics = createMetrics();
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: "info" }, new Writable({ write(chunk, _enc, cb) { logLines.push(JSON.parse(String(chunk))); cb(); } }));
const stack = createPipelinedStack({ services: [impl], guard, validate, logger, metrics, maxMessageBytes: MAX });
const fast = { enabled: true, served: 0, path: createGrpcWebFastPath(stack.options) };
const connect = stack.connect;
let server: RunningServer;

beforeAll(async () => {
  // The real one port (HTTP/1.1 and h2c sniffed on one socket, CORS in front), as polityd serves it.
  const config = loadConfig({ env: { POLITY_PORT: "0", POLITY_HOST: "127.0.0.1", POLITY_CORS_ALLOWED_ORIGINS: "https://app.example" } });
  const rpc = (req: Req, res: Res) => void (fast.enabled && fast.path(req, res) ? fast.served++ : connect(req as never, res as never));
  server = await startServer({ config, logger: pino({ level: "silent" }), routes: {}, rpc });
});
afterAll(() => server.drain(0));

interface Raw { status: number; headers: Record<string, unknown>; frames: Array<{ flags: number; data: string }> }
type Send = { type?: string; body: Uint8Array; headers?: Record<string, string> };

// connect-node's own HTTP clients: raw requests and answers, headers and body bytes as they are on the wire.
const clients = { "1.1": createNodeHttpClient({ httpVersion: "1.1" }), "2": createNodeHttpClient({ httpVersion: "2" }) };

/** One raw request over HTTP/1.1 or h2c; the answer without the headers that differ per response (date). */
async function raw(version: "1.1" | "2", { type = "application/grpc-web+proto", body, headers = {} }: Send): Promise<Raw> {
  const header = new Headers({ "content-type": type, "x-request-id": ID, ...headers });
  const res = await clients[version]({ url: server.url + PATH, method: "POST", header, body: (async function* () { yield body; })() });
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const kept = [...res.header].filter(([name]) => !["date", "connection", "keep-alive"].includes(name));
  return { status: res.status, headers: Object.fromEntries(kept), frames: frames(Buffer.concat(chunks)) };
}

/** The frames of a gRPC-Web body: the trailers as text, messages as base64 (gzip ones unzipped, so they read). */
function frames(data: Buffer) {
  const out: Raw["frames"] = [];
  for (let at = 0; at + 5 <= data.length; at += 5 + data.readUInt32BE(at + 1)) {
    const flags = data[at];
    let payload = data.subarray(at + 5, at + 5 + data.readUInt32BE(at + 1));
    if (flags & 1) payload = gunzipSync(payload);
    out.push({ flags, data: flags & 0x80 ? payload.toString("latin1") : payload.toString("base64") });
  }
  return out;
}

const envelope = (payload: Uint8Array, flags = 0) => frame(flags, payload);
const request = (service: string) => ({ body: envelope(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service }))) });

/** connect-node's answer, then the fast path's — checking that only the second was served by the fast path. */
async function both<T>(ask: () => Promise<T>, expectServed = true): Promise<[T, T]> {
  const served = fast.served;
  fast.enabled = false;
  const reference = await ask();
  fast.enabled = true;
  const answer = await ask();
  expect(fast.served - served).toBe(expectServed ? 1 : 0);
  return [reference, answer];
}

/** One call through the typed client, reduced to what its caller can see. */
async function sdkAnswer(client: Client<typeof Health>, service: string, token?: string, timeoutMs?: number) {
  const seen: { answer?: string | null; checksum?: string | null } = {};
  const onHeader = (h: Headers) => (seen.answer = h.get("x-answer"));
  const onTrailer = (t: Headers) => (seen.checksum = t.get("x-checksum"));
  const headers = new Headers({ "x-request-id": ID });
  if (token) headers.set("authorization", token);
  return client.check({ service }, { headers, timeoutMs, onHeader, onTrailer }).then((res) => ({ ...seen, status: res.status }), (e: unknown) => {
    const err = ConnectError.from(e);
    const info = err.findDetails(ErrorInfoSchema)[0];
    return { code: err.code, message: err.rawMessage, reason: info?.reason, meta: info?.metadata, id: err.metadata.get("x-request-id") };
  });
}

const scenarios: Array<[string, Send]> = [
  ["ok (application/grpc-web+proto)", request("ok")],
  ["ok (application/grpc-web)", { ...request("ok"), type: "application/grpc-web" }],
  ["ok, as a browser sends it", { ...request("ok"), headers: { "x-grpc-web": "1", "x-user-agent": "connect-es/2" } }],
  ["a browser on another origin (CORS)", { ...request("missing"), headers: { origin: "https://app.example", "x-grpc-web": "1" } }],
  ["the principal reaches the handler", { ...request("whoami"), headers: { authorization: "Bearer good" } }],
  ["response headers and trailers", request("headers")],
  ["a gzip-compressed large reply", { ...request("large"), headers: { "grpc-accept-encoding": "gzip" } }],
  ["a small reply to a client accepting gzip", { ...request("ok"), headers: { "grpc-accept-encoding": "br,gzip" } }],
  ["unauthenticated", request("private")],
  ["a forged token", { ...request("private"), headers: { authorization: "Bearer forged" } }],
  ["permission denied", request("forbidden")],
  ["not found", request("missing")],
  ["validation failure (protovalidate)", request("x".repeat(MAX / 2))],
  ["validation failure (handler rule)", request("invalid")],
  ["an internal error, sanitised", request("boom")],
  ["a reply over the limit", request("big")],
  ["a deadline", { ...request("stuck"), headers: { "grpc-timeout": "50m" } }],
  ["a bad deadline", { ...request("ok"), headers: { "grpc-timeout": "soon" } }],
  ["an empty body", { body: new Uint8Array() }],
  ["a truncated envelope", { body: request("ok").body.subarray(0, 7) }],
  ["two messages", { body: Buffer.concat([request("ok").body, request("ok").body]) }],
  ["a gzip-compressed request", { body: envelope(gzipSync(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "ok" }))), 1), headers: { "grpc-encoding": "gzip" } }],
  ["a gzip-compressed request for a large reply", { body: envelope(gzipSync(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "large" }))), 1), headers: { "grpc-encoding": "gzip" } }],
  ["a corrupt gzip request", { body: envelope(Buffer.from("not gzip"), 1), headers: { "grpc-encoding": "gzip" } }],
  ["a gzip request that inflates past the limit", { body: envelope(gzipSync(Buffer.alloc(4 * MAX)), 1), headers: { "grpc-encoding": "gzip" } }],
];

describe("gRPC-Web fast path", () => {
  it.each(scenarios)("answers %s exactly like connect-node over HTTP/1.1 and h2c", async (_name, send) => {
    const answers = [await both(() => raw("1.1", send)), await both(() => raw("2", send))];
    for (const [reference, answer] of answers) expect(answer).toEqual(reference);
  });

  it("gives the expected answers (so the comparison above is not vacuous)", async () => {
    const ok = await raw("1.1", request("ok"));
    expect(ok).toEqual({ status: 200, headers: { "content-type": "application/grpc-web+proto", "transfer-encoding": "chunked", "x-request-id": ID }, frames: [{ flags: 0, data: "CAE=" }, { flags: 0x80, data: "grpc-status: 0\r\n" }] });
    const cors = await raw("2", { ...request("ok"), headers: { origin: "https://app.example" } });
    expect(cors.headers).toMatchObject({ "access-control-allow-origin": "https://app.example", "access-control-expose-headers": expect.stringContaining("Grpc-Status") });
    const headers = await raw("2", request("headers"));
    expect(headers.headers).toMatchObject({ "x-answer": "42" });
    expect(headers.frames[1].data).toBe("grpc-status: 0\r\nx-checksum: abc\r\n");
    const large = await raw("1.1", { ...request("large"), headers: { "grpc-accept-encoding": "gzip" } });
    expect(large.headers["grpc-encoding"]).toBe("gzip");
    expect(large.frames.map((f) => f.flags)).toEqual([1, 0x80]);
    const denied = await raw("1.1", request("forbidden"));
    expect(denied.status).toBe(200);
    expect(denied.frames).toHaveLength(1);
    const trailer = Object.fromEntries(denied.frames[0].data.split("\r\n").filter(Boolean).map((l) => l.split(": ")));
    expect(trailer).toMatchObject({ "grpc-status": String(Code.PermissionDenied), "grpc-message": "you%20may%20not", "x-request-id": ID });
    expect(findTrailerError(new Headers(trailer))?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("DENIED");
    expect((await raw("1.1", request("boom"))).frames[0].data).toContain(`grpc-message: internal%20error%2C%20request%20id%20${ID}`);
    const oversize = (await raw("2", request("x".repeat(2 * MAX)))).frames[0].data;
    expect(oversize).toContain(`grpc-status: ${Code.ResourceExhausted}`);
    const oversizeTrailer = new Headers(Object.fromEntries(oversize.split("\r\n").filter(Boolean).map((l) => l.split(": ")) as [string, string][]));
    expect(findTrailerError(oversizeTrailer)?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MESSAGE_TOO_LARGE");
    expect((await raw("2", request("big"))).frames[0].data).toContain(`writeMaxBytes%20${MAX}`);
    aborts.length = 0;
    const started = Date.now();
    const late = await raw("1.1", { ...request("stuck"), headers: { "grpc-timeout": "50m" } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(late.frames[0].data).toContain(`grpc-status: ${Code.DeadlineExceeded}`);
    expect((aborts[0] as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("refuses undecodable bodies with InvalidArgument (connect-node says Internal)", async () => {
    const undecodable: Array<[Send, RegExp]> = [
      [{ body: envelope(new Uint8Array([0x0a, 0xff, 0xff])) }, /^malformed request message: parse binary: /],
      // connect-node says Internal for a frame flagged compressed in a request that declared no encoding.
      [{ body: envelope(new Uint8Array([1, 2, 3]), 1) }, /^malformed request message: received compressed envelope, but the request declared no encoding$/],
      // V8's parse error quotes the body and cuts the second emoji in half; connect-node never answers this one.
      [{ body: envelope(Buffer.from(`!${"😀".repeat(20)}`)), type: "application/grpc-web+json" }, /^malformed request message: parse json: .*😀\uFFFD/],
    ];
    for (const version of ["1.1", "2"] as const) {
      for (const [send, message] of undecodable) {
        const res = await raw(version, send);
        expect(res.status).toBe(200);
        const trailer = Object.fromEntries(res.frames[0].data.split("\r\n").filter(Boolean).map((l) => l.split(": ")));
        expect(trailer["grpc-status"]).toBe(String(Code.InvalidArgument));
        expect(decodeURIComponent(trailer["grpc-message"])).toMatch(message);
        expect(findTrailerError(new Headers(trailer))?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MALFORMED_MESSAGE");
      }
    }
  });

  // Through connect-node's own client: what an SDK user sees (code, message, details, headers, trailers).
  it.each(["1.1", "2"] as const)("agrees with connect-node through the gRPC-Web transport (HTTP/%s)", async (httpVersion) => {
    const client = createClient(Health, createGrpcWebTransport({ baseUrl: server.url, httpVersion }));
    const cases: Array<[string, string?]> = [["ok"], ["whoami", "Bearer good"], ["headers"], ["large"], ["private"], ["forbidden"], ["missing"], ["invalid"], ["boom"], ["big"]];
    for (const [service, token] of cases) {
      const [reference, answer] = await both(() => sdkAnswer(client, service, token));
      expect(answer, service).toEqual(reference);
    }
    expect(await sdkAnswer(client, "headers")).toEqual({ answer: "42", checksum: "abc", status: Status.SERVING });
    expect(await sdkAnswer(client, "stuck", undefined, 50)).toMatchObject({ code: Code.DeadlineExceeded });
  });

  it("serves the JSON codec as connect-node does", async () => {
    for (const type of ["application/grpc-web+json", "application/grpc-web+json; charset=utf-8"]) {
      const [reference, answer] = await both(() => raw("1.1", { body: envelope(Buffer.from('{"service":"ok"}')), type }));
      expect(answer).toEqual(reference);
      expect(answer.frames[0].data).toBe(Buffer.from('{"status":"SERVING"}').toString("base64"));
    }
  });

  it("falls through for the -text variant, unknown encodings and streaming methods", async () => {
    const text = { body: Buffer.from(request("ok").body.toString("base64")), type: "application/grpc-web-text" };
    const [reference, fast] = await both(() => raw("1.1", text), false);
    expect(fast).toEqual(reference);
    const [deflateReference, deflate] = await both(() => raw("2", { ...request("ok"), headers: { "grpc-encoding": "deflate" } }), false);
    expect(deflate).toEqual(deflateReference);
    const gzipped = createClient(Health, createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2", sendCompression: compressionGzip, compressMinBytes: 0 }));
    expect(await both(async () => (await gzipped.check({ service: "ok" })).status)).toEqual([Status.SERVING, Status.SERVING]);
    const client = createClient(Health, createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const [a, b] = await both(async () => {
      let n = 0;
      for await (const _ of client.watch({})) n++;
      return n;
    }, false);
    expect([a, b]).toEqual([2, 2]);
  });

  it("writes the same log line and metrics as the interceptors", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let earlier calls' lines land first
    logLines.length = 0;
    await both(() => raw("1.1", { ...request("whoami"), headers: { authorization: "Bearer good" } }));
    const strip = ({ duration_ms, time, ...rest }: Record<string, unknown>) => rest;
    expect(logLines).toHaveLength(2);
    expect(strip(logLines[1])).toEqual(strip(logLines[0]));
    expect(logLines[0]).toMatchObject({ method: PATH, principal: "acc-1", request_id: ID, protocol: "grpc-web", code: "ok" });
    expect(await metrics.registry.metrics()).toMatch(/grpc_server_handled_total\{grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="OK"\} \d+/);
  });
});
