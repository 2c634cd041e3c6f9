import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import * as v1 from "../../clients/src/gen/grpc/reflection/v1/reflection_pb.js";
import { createMetrics } from "./metrics.js";
import { service } from "./module.js";
import { applyConcerns } from "./pipeline/apply-concerns.js";
import { createReflection } from "./reflection.js";
import { createConnectNodeHandler } from "./rpc-handler.js";

describe("metrics", () => {
  const metrics = createMetrics();
  const sessions = new Set<http2.ServerHttp2Session>();
  let server: http2.Http2Server;
  let scrape: http.Server;
  let baseUrl: string;

  // A Health stand-in whose behaviour depends on the service name, to produce each outcome.
  const health = service(Health, {
    check(req) {
      if (req.service === "boom") throw new Error("kaput");
      if (req.service === "missing") throw new ConnectError("no", Code.NotFound);
      return { status: Status.SERVING };
    },
    async *watch(req) {
      yield { status: Status.SERVING };
      yield { status: Status.NOT_SERVING };
      if (req.service === "fail") throw new ConnectError("gone", Code.Unavailable);
    },
    list() {
      return {};
    },
  });

  beforeAll(async () => {
    const services = [health, ...createReflection([Health])];
    server = http2.createServer(
      createConnectNodeHandler({ services: applyConcerns(services, [metrics.concern]), maxMessageBytes: 65536, clientAddress: () => "" }) as never,
    );
    server.on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    scrape = http.createServer((req, res) => metrics.handleHttp(req, res));
    await new Promise<void>((resolve) => scrape.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => scrape.close(r))]);
  });

  const value = async (name: string, labels: Record<string, string>) => {
    const metric = await metrics.registry.getSingleMetric(name)!.get();
    const match = metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return match?.value ?? 0;
  };

  it("counts unary calls by code, with grpc-go's code names", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    await client.check({ service: "" });
    await client.check({ service: "missing" }).catch(() => {});
    await client.check({ service: "boom" }).catch(() => {});
    const labels = { grpc_type: "unary", grpc_service: "grpc.health.v1.Health", grpc_method: "Check" };
    expect(await value("grpc_server_started_total", labels)).toBe(3);
    expect(await value("grpc_server_handled_total", { ...labels, grpc_code: "OK" })).toBe(1);
    expect(await value("grpc_server_handled_total", { ...labels, grpc_code: "NotFound" })).toBe(1);
    expect(await value("grpc_server_handled_total", { ...labels, grpc_code: "Internal" })).toBe(1);
    expect(await value("grpc_server_msg_received_total", labels)).toBe(3);
    expect(await value("grpc_server_msg_sent_total", labels)).toBe(1);
  });

  it("counts stream messages and the code a stream ends with", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    for await (const _ of client.watch({ service: "ok" }));
    await (async () => {
      for await (const _ of client.watch({ service: "fail" }));
    })().catch(() => {});
    const labels = { grpc_type: "server_stream", grpc_method: "Watch" };
    expect(await value("grpc_server_handled_total", { ...labels, grpc_code: "OK" })).toBe(1);
    expect(await value("grpc_server_handled_total", { ...labels, grpc_code: "Unavailable" })).toBe(1);
    expect(await value("grpc_server_msg_sent_total", labels)).toBe(4);
    expect(await value("grpc_server_msg_received_total", labels)).toBe(2);

    const reflection = createClient(v1.ServerReflection, createGrpcTransport({ baseUrl }));
    async function* requests() {
      for (let i = 0; i < 3; i++) yield create(v1.ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } });
    }
    for await (const _ of reflection.serverReflectionInfo(requests()));
    const bidi = { grpc_type: "bidi_stream", grpc_service: "grpc.reflection.v1.ServerReflection" };
    expect(await value("grpc_server_msg_received_total", bidi)).toBe(3);
    expect(await value("grpc_server_msg_sent_total", bidi)).toBe(3);
    expect(await value("grpc_server_handled_total", { ...bidi, grpc_code: "OK" })).toBe(1);
  });

  it("/metrics serves every call's counters and the process metrics", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    await client.check({ service: "scraped" });
    const body = await (await fetch(`http://127.0.0.1:${(scrape.address() as AddressInfo).port}/metrics`)).text();
    expect(body).toMatch(/grpc_server_handled_total\{grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="OK"\} \d+/);
    expect(body).toMatch(/grpc_server_handling_seconds_count\{grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check"\} \d+/);
    expect(body).toContain("process_cpu_seconds_total");
  });
});
