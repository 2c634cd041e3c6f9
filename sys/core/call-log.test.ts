import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { principalKey } from "./authn/principal.js";
import { createCallLogConcern, requestIdKey } from "./call-log.js";
import { notFound } from "./errors.js";
import { service } from "./module.js";
import { applyConcerns } from "./pipeline/apply-concerns.js";
import { type Concern, requestHeaderOf } from "./pipeline/concern.js";
import { createConnectNodeHandler } from "./rpc-handler.js";

describe("call log", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const sessions = new Set<http2.ServerHttp2Session>();
  let server: http2.Http2Server;
  let baseUrl: string;
  let seenRequestId = "";

  // Stands in for the guard, which runs inside the call log.
  const signIn: Concern = () => (next) => (call) => {
    if (requestHeaderOf(call.ctx, "authorization")) call.ctx.values.set(principalKey, { accountId: "acc_1", kind: "person", sessionId: "s" });
    return next(call);
  };
  const impl = service(Health, {
    check(req, ctx) {
      seenRequestId = ctx.values.get(requestIdKey);
      if (req.service === "missing") throw notFound("service", "missing");
      if (req.service === "boom") throw new Error("secret table users_pw exploded");
      return { status: Status.SERVING };
    },
    async *watch(req) {
      yield { status: Status.SERVING };
      if (req.service === "boom") throw new TypeError("undefined is not a function at /srv/secret.ts");
    },
    list: () => ({}),
  });

  beforeAll(async () => {
    server = http2.createServer(
      createConnectNodeHandler({ services: applyConcerns([impl], [createCallLogConcern(logger), signIn]), maxMessageBytes: 65536, clientAddress: () => "" }) as never,
    );
    server.on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    lines.length = 0;
  });

  const failure = (call: Promise<unknown>) =>
    call.then(
      () => {
        throw new Error("expected the call to fail");
      },
      (e: unknown) => ConnectError.from(e),
    );
  const grpc = () => createClient(Health, createGrpcTransport({ baseUrl }));

  it("logs one line per successful call and echoes the caller's request id", async () => {
    let echoed: string | null = null;
    await grpc().check({}, { headers: { "x-request-id": "req-123", authorization: "Bearer x" }, onHeader: (h) => (echoed = h.get("x-request-id")) });
    expect(echoed).toBe("req-123");
    expect(seenRequestId).toBe("req-123");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: "rpc", method: "/grpc.health.v1.Health/Check", code: "ok", principal: "acc_1", request_id: "req-123", protocol: "grpc" });
    expect(typeof lines[0].duration_ms).toBe("number");
  });

  it("generates a request id when none (or a malformed one) is sent", async () => {
    let echoed: string | null = null;
    const client = createClient(Health, createConnectTransport({ baseUrl, httpVersion: "2" }));
    await client.check({}, { headers: { "x-request-id": "bad id <script>" }, onHeader: (h) => (echoed = h.get("x-request-id")) });
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0]).toMatchObject({ request_id: echoed, protocol: "connect", code: "ok" });
    expect(lines[0].principal).toBeUndefined();
  });

  it("logs expected errors with their code and reason and passes them through", async () => {
    const err = await failure(grpc().check({ service: "missing" }, { headers: { "x-request-id": "r-404" } }));
    expect(err.code).toBe(Code.NotFound);
    expect(err.metadata.get("x-request-id")).toBe("r-404");
    expect(lines).toEqual([expect.objectContaining({ level: 30, code: "NotFound", reason: "NOT_FOUND", request_id: "r-404" })]);
  });

  it("hides internal errors from clients and logs their stack", async () => {
    const err = await failure(grpc().check({ service: "boom" }, { headers: { "x-request-id": "r-500" } }));
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error, request id r-500");
    expect(JSON.stringify(err)).not.toContain("users_pw");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, code: "Internal", request_id: "r-500" });
    expect((lines[0].err as { stack: string }).stack).toContain("users_pw exploded");
  });

  it("logs streams when they end and sanitises errors raised mid-stream", async () => {
    for await (const _ of grpc().watch({ service: "ok" }));
    expect(lines).toEqual([expect.objectContaining({ method: "/grpc.health.v1.Health/Watch", code: "ok" })]);
    lines.length = 0;
    const received: Status[] = [];
    const err = await (async () => {
      for await (const res of grpc().watch({ service: "boom" })) received.push(res.status);
    })().catch((e: unknown) => ConnectError.from(e));
    expect(received).toEqual([Status.SERVING]);
    expect(err?.code).toBe(Code.Internal);
    expect(err?.rawMessage).toMatch(/^internal error, request id [0-9a-f-]{36}$/);
    expect(lines).toEqual([expect.objectContaining({ level: 50, code: "Internal" })]);
    expect(JSON.stringify(lines[0].err)).toContain("/srv/secret.ts");
  });
});
