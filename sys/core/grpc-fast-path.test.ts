// The fast path must be indistinguishable from connect-node for gRPC clients: every scenario is answered with
// the fast path on and off, by a stock grpc-js client and by connect-node's gRPC client, and all four agree.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema, type HealthCheckRequest, type HealthCheckResponse } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { createHealthFixture, createPipelinedStack } from "./test-support.js";
import { createGrpcFastPath } from "./grpc-fast-path.js";
import { createMetrics } from "./metrics.js";

const MAX = 1024;
const { impl, guard, validate, aborts } = createHealthFixture(MAX);

const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: "info" }, new Writable({ write(chunk, _enc, cb) { logLines.push(JSON.parse(String(chunk))); cb(); } }));
const metrics = createMetrics();
const stack = createPipelinedStack({ services: [impl], guard, validate, logger, metrics, maxMessageBytes: MAX });
const fastPath = createGrpcFastPath(stack.options);
const connect = stack.connect;
let fastEnabled = true;
let fastServed = 0;
const server = http2.createServer((req, res) => {
  if (fastEnabled && fastPath(req, res)) fastServed++;
  else connect(req as never, res as never);
});
let port = 0;
let grpcClient: grpc.Client & Record<string, Function>;
let connectClient: ReturnType<typeof createClient<typeof Health>>;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const Client = grpc.makeGenericClientConstructor({
    check: {
      path: "/grpc.health.v1.Health/Check", requestStream: false, responseStream: false, originalName: "check",
      requestSerialize: (m: HealthCheckRequest) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
      requestDeserialize: (b: Buffer) => fromBinary(HealthCheckRequestSchema, b),
      responseSerialize: (m: HealthCheckResponse) => Buffer.from(toBinary(HealthCheckResponseSchema, m)),
      responseDeserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
    },
  }, "Health");
  grpcClient = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as never;
  connectClient = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
});
afterAll(async () => {
  grpcClient.close();
  server.close();
});

type Outcome = { status?: number; code?: number; message?: string; reason?: string; meta?: Record<string, string> };
const ID = "req-fixed-1"; // a fixed request id makes the sanitised Internal message comparable

function viaGrpcJs(serviceName: string, token?: string, deadlineMs?: number): Promise<Outcome> {
  const md = new grpc.Metadata();
  md.set("x-request-id", ID);
  if (token) md.set("authorization", token);
  const options = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
  return new Promise((resolve) => {
    grpcClient.check(create(HealthCheckRequestSchema, { service: serviceName }), md, options, (err: grpc.ServiceError | null, res: { status: number }) => {
      if (!err) return resolve({ status: res.status });
      const bin = err.metadata.get("grpc-status-details-bin")[0] as Buffer | undefined;
      const info = bin ? decodeStatusErrorInfo(bin) : undefined;
      resolve({ code: err.code, message: err.details, reason: info?.reason, meta: info?.metadata });
    });
  });
}

async function viaConnect(serviceName: string, token?: string): Promise<Outcome> {
  const headers: Record<string, string> = { "x-request-id": ID };
  if (token) headers.authorization = token;
  try {
    return { status: (await connectClient.check({ service: serviceName }, { headers })).status };
  } catch (e) {
    const err = ConnectError.from(e);
    const info = err.findDetails(ErrorInfoSchema)[0];
    return { code: err.code, message: err.rawMessage, reason: info?.reason, meta: info ? { ...info.metadata } : undefined };
  }
}

/** google.rpc.Status → its ErrorInfo detail, decoded by hand so the test does not trust the code under test. */
function decodeStatusErrorInfo(bin: Buffer) {
  const r = new BinaryReader(bin);
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    if (no !== 3) {
      r.skip(wireType);
      continue;
    }
    const any = new BinaryReader(r.bytes());
    let typeUrl = "";
    let value: Uint8Array = new Uint8Array();
    while (any.pos < any.len) {
      const [f] = any.tag();
      if (f === 1) typeUrl = any.string();
      else value = any.bytes();
    }
    if (typeUrl.endsWith("google.rpc.ErrorInfo")) return fromBinary(ErrorInfoSchema, value);
  }
  return undefined;
}

/** A call whose request is gzip-compressed, as connect-node's gRPC client sends it. */
async function viaGzip(serviceName: string): Promise<Outcome> {
  const gzipped = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, sendCompression: compressionGzip, compressMinBytes: 0 }));
  try {
    return { status: (await gzipped.check({ service: serviceName })).status };
  } catch (e) {
    return { code: ConnectError.from(e).code, message: ConnectError.from(e).rawMessage };
  }
}

function envelopeOf(payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

const scenarios: Array<[string, string?]> = [["ok"], ["whoami", "Bearer good"], ["private"], ["private", "Bearer forged"], ["forbidden"], ["missing"], ["invalid"], ["boom"], ["big"]];

describe("gRPC fast path", () => {
  it.each(scenarios)("answers %s exactly like connect-node, to grpc-js and connect clients", async (name, token) => {
    fastEnabled = false;
    const before = fastServed;
    const reference = await viaConnect(name, token);
    // connect-node percent-encodes grpc-message with encodeURIComponent, which grpc-js only half decodes
    // (decodeURI); the fast path encodes as the gRPC spec says, so grpc-js reads the message right.
    const grpcJsOnConnect = await viaGrpcJs(name, token);
    expect({ ...grpcJsOnConnect, message: grpcJsOnConnect.message && decodeURIComponent(grpcJsOnConnect.message) }).toEqual(reference);
    expect(fastServed).toBe(before);
    fastEnabled = true;
    expect(await viaGrpcJs(name, token)).toEqual(reference);
    expect(await viaConnect(name, token)).toEqual(reference);
    expect(fastServed).toBe(before + 2);
  });

  it("gives the expected outcomes (so the comparison above is not vacuous)", async () => {
    expect(await viaGrpcJs("whoami", "Bearer good")).toEqual({ status: Status.SERVING });
    expect(await viaGrpcJs("missing")).toMatchObject({ code: Code.NotFound, message: "service missing not found", reason: "NOT_FOUND", meta: { resource: "service", id: "missing" } });
    expect(await viaGrpcJs("private")).toMatchObject({ code: Code.Unauthenticated, reason: "MISSING_CREDENTIALS" });
    expect(await viaGrpcJs("invalid")).toMatchObject({ code: Code.InvalidArgument, reason: "INVALID_ARGUMENT" });
    expect(await viaGrpcJs("boom")).toEqual({ code: Code.Internal, message: `internal error, request id ${ID}` });
    // Same code and message as connect-node, plus the stable reason (connect-node gives none).
    expect(await viaGrpcJs("x".repeat(2 * MAX))).toMatchObject({ code: Code.ResourceExhausted, message: "message size 2051 is larger than configured readMaxBytes 1024", reason: "MESSAGE_TOO_LARGE", meta: { limit: "1024" } });
    expect(await viaGrpcJs("big")).toMatchObject({ code: Code.ResourceExhausted, message: expect.stringContaining("writeMaxBytes 1024") });
  });

  it("falls through for streaming, Connect and unknown methods", async () => {
    const before = fastServed;
    const statuses = [];
    for await (const res of connectClient.watch({})) statuses.push(res.status);
    expect(statuses).toEqual([Status.SERVING, Status.NOT_SERVING]);
    const overConnect = createClient(Health, createConnectTransport({ baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" }));
    expect((await overConnect.check({})).status).toBe(Status.SERVING);
    expect(fastServed).toBe(before);
  });

  it("serves the JSON codec (application/grpc+json) like connect-node", async () => {
    const overJson = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, useBinaryFormat: false }));
    const before = fastServed;
    expect((await overJson.check({ service: "ok" }, { headers: { "x-request-id": ID } })).status).toBe(Status.SERVING);
    expect(fastServed).toBe(before + 1);
    fastEnabled = false;
    try {
      expect((await overJson.check({ service: "ok" })).status).toBe(Status.SERVING);
    } finally {
      fastEnabled = true;
    }
  });

  // connect-node says Internal for the first, and never answers the second (encodeURIComponent throws on the
  // half surrogate pair V8's parse error quotes).
  it("serves gzip-compressed requests", async () => {
    const gzipped = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, sendCompression: compressionGzip, compressMinBytes: 0 }));
    const before = fastServed;
    expect((await gzipped.check({ service: "ok" })).status).toBe(Status.SERVING);
    expect(fastServed).toBe(before + 1);
    expect(await viaGzip("x".repeat(4 * MAX))).toMatchObject({ code: Code.ResourceExhausted });
  });

  const emoji = Buffer.from(`!${"😀".repeat(20)}`);
  it.each([
    ["a frame flagged compressed without grpc-encoding", "application/grpc", {}, Buffer.from([1, 0, 0, 0, 3, 1, 2, 3]), /^malformed request message: received compressed envelope, but the request declared no encoding$/],
    ["JSON whose parse error quotes half an emoji", "application/grpc+json", {}, Buffer.concat([Buffer.from([0, 0, 0, 0, emoji.length]), emoji]), /^malformed request message: parse json: .*😀\uFFFD/],
    ["gzip JSON whose parse error quotes half an emoji", "application/grpc+json", { "grpc-encoding": "gzip" }, envelopeOf(gzipSync(emoji), 1), /^malformed request message: parse json: .*😀\uFFFD/],
  ])("refuses %s with InvalidArgument (MALFORMED_MESSAGE)", async (_name, type, extra: Record<string, string>, body, message) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": type, te: "trailers", ...extra });
    stream.end(body);
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on("response", resolve));
    stream.resume();
    session.close();
    expect(headers["grpc-status"]).toBe(String(Code.InvalidArgument));
    expect(decodeURIComponent(String(headers["grpc-message"]))).toMatch(message);
    expect(decodeStatusErrorInfo(Buffer.from(String(headers["grpc-status-details-bin"]), "base64"))?.reason).toBe("MALFORMED_MESSAGE");
  });

  it("honours grpc-timeout: the handler is aborted and the caller gets DEADLINE_EXCEEDED", async () => {
    aborts.length = 0;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const body = toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "slow" }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
    const started = Date.now();
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers", "grpc-timeout": "100m" });
    stream.end(frame);
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on("response", resolve));
    stream.resume();
    session.close();
    expect(headers["grpc-status"]).toBe(String(Code.DeadlineExceeded));
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((aborts[0] as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(await viaGrpcJs("slow", undefined, 100)).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
  });

  it("writes the same log line and metrics as the interceptors", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let earlier calls' lines land first
    logLines.length = 0;
    fastEnabled = false;
    await viaGrpcJs("whoami", "Bearer good");
    fastEnabled = true;
    await viaGrpcJs("whoami", "Bearer good");
    const strip = ({ duration_ms, time, ...rest }: Record<string, unknown>) => rest;
    expect(logLines).toHaveLength(2);
    expect(strip(logLines[1])).toEqual(strip(logLines[0]));
    expect(logLines[0]).toMatchObject({ method: "/grpc.health.v1.Health/Check", principal: "acc-1", request_id: ID, protocol: "grpc", code: "ok" });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/grpc_server_handled_total\{grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="OK"\} \d+/);
  });
});
