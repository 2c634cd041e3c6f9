// The Connect fast path must answer exactly as connect-node: every scenario is sent with the fast path on and
// off, as raw HTTP/1.1 and h2c requests (status, headers, body bytes) and through connect-node's own Connect
// transport (binary and JSON), and the answers must be the same — except for undecodable bodies, which the fast
// path refuses with InvalidArgument (MALFORMED_MESSAGE) where connect-node says Internal.
import http from "node:http";
import http2 from "node:http2";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { loadConfig } from "./config.js";
import { createConnectFastPath } from "./connect-fast-path.js";
import { createHealthFixture, createPipelinedStack } from "./test-support.js";
import { createMetrics } from "./metrics.js";
import { type RunningServer, startServer } from "./server.js";

const MAX = 4096;
const PATH = "/grpc.health.v1.Health/Check";
const ID = "req-fixed-1"; // a fixed request id makes headers and the sanitised Internal message comparable
const { impl, guard, validate, aborts } = createHealthFixture(MAX);
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: "info" }, new Writable({ write(chunk, _enc, cb) { logLines.push(JSON.parse(String(chunk))); cb(); } }));
const metrics = createMetrics();
const stack = createPipelinedStack({ services: [impl], guard, validate, logger, metrics, maxMessageBytes: MAX });
const fastPath = createConnectFastPath(stack.options);
const connect = stack.connect;
let fastEnabled = true;
let fastServed = 0;
let server: RunningServer;

beforeAll(async () => {
  // The real one port (HTTP/1.1 and h2c sniffed on one socket), as polityd serves it.
  const config = loadConfig({ env: { POLITY_PORT: "0", POLITY_HOST: "127.0.0.1", POLITY_CORS_ALLOWED_ORIGINS: "" } });
  server = await startServer({ config, logger: pino({ level: "silent" }), routes: {}, rpc: (req, res) => {
    if (fastEnabled && fastPath(req, res)) fastServed++;
    else connect(req as never, res as never);
  } });
});
afterAll(() => server.drain(0));

interface Raw { status: number; headers: Record<string, unknown>; body: string }
type Send = { type?: string; body: string | Uint8Array; headers?: Record<string, string> };

/** One raw request over HTTP/1.1 or h2c; the answer without the headers that differ per response (date). */
async function raw(version: "1.1" | "2", { type = "application/proto", body, headers = {} }: Send): Promise<Raw> {
  const head = { "content-type": type, "x-request-id": ID, ...headers };
  const bytes = Buffer.from(body);
  const { status, headers: out, data } = version === "2" ? await h2(head, bytes) : await h1(head, bytes);
  const { date, connection, "keep-alive": _keepAlive, ...rest } = out;
  const decoded = out["content-encoding"] === "gzip" ? gunzipSync(data) : data;
  return { status, headers: rest, body: out["content-type"] === "application/json" ? decoded.toString("utf8") : decoded.toString("base64") };
}

function h1(headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, unknown>; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${PATH}`, { method: "POST", headers: { ...headers, "content-length": String(body.length) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: { ...res.headers }, data: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function h2(headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, unknown>; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(server.url);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": PATH, ...headers });
    const chunks: Buffer[] = [];
    stream.on("response", (res) => {
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        session.close();
        const { ":status": status, ...rest } = res;
        resolve({ status: Number(status), headers: rest, data: Buffer.concat(chunks) });
      });
    });
    stream.end(body);
  });
}

const proto = (service: string) => ({ body: toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service })) });
const json = (service: string) => ({ type: "application/json", body: toJsonString(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service })) });

/** Both answers, connect-node's first; and that the fast path served the second and not the first. */
async function both<T>(ask: () => Promise<T>, expectServed = true): Promise<[T, T]> {
  fastEnabled = false;
  const before = fastServed;
  const reference = await ask();
  expect(fastServed).toBe(before);
  fastEnabled = true;
  const fast = await ask();
  expect(fastServed).toBe(before + (expectServed ? 1 : 0));
  return [reference, fast];
}

const scenarios: Array<[string, Send]> = [
  ["ok (binary)", proto("ok")],
  ["ok (JSON)", json("ok")],
  ["ok (JSON, charset=utf-8)", { ...json("ok"), type: "application/json; charset=utf-8" }],
  ["ok with Connect-Protocol-Version: 1", { ...proto("ok"), headers: { "connect-protocol-version": "1" } }],
  ["the principal reaches the handler", { ...proto("whoami"), headers: { authorization: "Bearer good" } }],
  ["response headers and trailers", json("headers")],
  ["a gzip-compressed large reply", { ...proto("large"), headers: { "accept-encoding": "gzip" } }],
  ["unauthenticated", json("private")],
  ["a forged token", { ...json("private"), headers: { authorization: "Bearer forged" } }],
  ["permission denied", proto("forbidden")],
  ["not found (binary)", proto("missing")],
  ["not found (JSON)", json("missing")],
  ["validation failure (protovalidate)", json("x".repeat(MAX / 2))],
  ["validation failure (handler rule)", proto("invalid")],
  ["an internal error, sanitised", json("boom")],
  ["a reply over the limit", proto("big")],
  ["a deadline", { ...json("stuck"), headers: { "connect-timeout-ms": "50" } }],
  ["a bad deadline", { ...json("ok"), headers: { "connect-timeout-ms": "soon" } }],
];

describe("Connect fast path", () => {
  it.each(scenarios)("answers %s exactly like connect-node over HTTP/1.1 and h2c", async (_name, send) => {
    for (const version of ["1.1", "2"] as const) {
      const [reference, fast] = await both(() => raw(version, send));
      expect(fast).toEqual(reference);
    }
  });

  it("gives the expected answers (so the comparison above is not vacuous)", async () => {
    const ok = await raw("1.1", json("ok"));
    expect(ok).toEqual({ status: 200, headers: { "content-type": "application/json", "content-length": "20", "x-request-id": ID }, body: '{"status":"SERVING"}' });
    const headers = await raw("2", json("headers"));
    expect(headers.headers).toMatchObject({ "x-answer": "42", "trailer-x-checksum": "abc" });
    const large = await raw("1.1", { ...proto("large"), headers: { "accept-encoding": "gzip" } });
    expect(large.headers["content-encoding"]).toBe("gzip");
    const denied = await raw("1.1", proto("forbidden"));
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ code: "permission_denied", message: "you may not", details: [{ type: "google.rpc.ErrorInfo", debug: { reason: "DENIED" } }] });
    expect((await raw("1.1", json("missing"))).status).toBe(404);
    expect(JSON.parse((await raw("1.1", json("boom"))).body)).toEqual({ code: "internal", message: `internal error, request id ${ID}` });
    const oversize = await raw("1.1", json("x".repeat(2 * MAX)));
    expect(oversize.status).toBe(429);
    // connect-node's code and message, plus the stable reason.
    expect(JSON.parse(oversize.body)).toMatchObject({ code: "resource_exhausted", message: `message size 8206 is larger than configured readMaxBytes ${MAX}`, details: [{ type: "google.rpc.ErrorInfo", debug: { reason: "MESSAGE_TOO_LARGE", metadata: { limit: String(MAX) } } }] });
    expect(JSON.parse((await raw("2", proto("big"))).body)).toEqual({ code: "resource_exhausted", message: expect.stringContaining(`writeMaxBytes ${MAX}`) });
    aborts.length = 0;
    const started = Date.now();
    const late = await raw("1.1", { ...json("stuck"), headers: { "connect-timeout-ms": "50" } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(late.status).toBe(504);
    expect(JSON.parse(late.body)).toEqual({ code: "deadline_exceeded", message: "the operation timed out" });
    expect((aborts[0] as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("refuses undecodable binary and JSON bodies with InvalidArgument (connect-node says Internal for binary)", async () => {
    for (const send of [{ body: new Uint8Array([0x0a, 0xff, 0xff]) }, { type: "application/json", body: "{not json" }]) {
      for (const version of ["1.1", "2"] as const) {
        const res = await raw(version, send);
        expect(res.status).toBe(400);
        const error = JSON.parse(res.body);
        expect(error).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(/^malformed request message: parse (binary|json): /) });
        expect(error.details[0]).toMatchObject({ type: "google.rpc.ErrorInfo", debug: { reason: "MALFORMED_MESSAGE" } });
      }
    }
  });

  // Through connect-node's own client: what an SDK user sees (code, message, details, headers, trailers).
  for (const [useBinaryFormat, httpVersion] of [[true, "1.1"], [false, "1.1"], [true, "2"], [false, "2"]] as const) {
    it(`agrees with connect-node through the Connect transport (${useBinaryFormat ? "binary" : "JSON"}, HTTP/${httpVersion})`, async () => {
      const client = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion, useBinaryFormat }));
      const call = async (service: string, token?: string, timeoutMs?: number) => {
        const seen: Record<string, unknown> = {};
        const headers: Record<string, string> = { "x-request-id": ID, ...(token ? { authorization: token } : {}) };
        try {
          const res = await client.check({ service }, { headers, timeoutMs, onHeader: (h) => (seen.answer = h.get("x-answer")), onTrailer: (t) => (seen.checksum = t.get("x-checksum")) });
          return { ...seen, status: res.status };
        } catch (e) {
          const err = ConnectError.from(e);
          const info = err.findDetails(ErrorInfoSchema)[0];
          return { code: err.code, message: err.rawMessage, reason: info?.reason, meta: info ? { ...info.metadata } : undefined, id: err.metadata.get("x-request-id") };
        }
      };
      for (const [service, token] of [["ok"], ["whoami", "Bearer good"], ["headers"], ["large"], ["private"], ["forbidden"], ["missing"], ["invalid"], ["boom"], ["big"]]) {
        const [reference, fast] = await both(() => call(service!, token));
        expect(fast, service).toEqual(reference);
      }
      expect(await call("headers")).toEqual({ answer: "42", checksum: "abc", status: Status.SERVING });
      expect(await call("stuck", undefined, 50)).toMatchObject({ code: Code.DeadlineExceeded });
    });
  }

  it("falls through for streaming, compressed requests and unknown methods", async () => {
    const client = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const statuses: Status[] = [];
    const [reference, fast] = await both(async () => {
      for await (const res of client.watch({})) statuses.push(res.status);
      return statuses.length;
    }, false);
    expect([reference, fast]).toEqual([2, 4]);
    const gzipped = createClient(Health, createConnectTransport({ baseUrl: server.url, httpVersion: "2", sendCompression: (await import("@connectrpc/connect-node")).compressionGzip, compressMinBytes: 0 }));
    const [a, b] = await both(async () => (await gzipped.check({ service: "ok" })).status, false);
    expect([a, b]).toEqual([Status.SERVING, Status.SERVING]);
  });

  it("writes the same log line and metrics as the interceptors", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let earlier calls' lines land first
    logLines.length = 0;
    await both(() => raw("1.1", { ...proto("whoami"), headers: { authorization: "Bearer good" } }));
    const strip = ({ duration_ms, time, ...rest }: Record<string, unknown>) => rest;
    expect(logLines).toHaveLength(2);
    expect(strip(logLines[1])).toEqual(strip(logLines[0]));
    expect(logLines[0]).toMatchObject({ method: PATH, principal: "acc-1", request_id: ID, protocol: "connect", code: "ok" });
    expect(await metrics.registry.metrics()).toMatch(/grpc_server_handled_total\{grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="OK"\} \d+/);
  });
});
