// The server-span concern on one in-process host (sys + mod, PostgreSQL), exporting to memory: a span per call
// on every protocol, children of the caller's traceparent, database spans under them without parameters, the
// trace id in the call log, streams ended with the stream; and the OTEL_* switches.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Health } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { clientFor, type Protocol } from "../../../test/support/clients.js";
import { type Person, signUpVerified } from "../../../test/support/people.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { composeHost } from "../../cmd/compose.js";
import { ConfigError, loadConfig } from "../config.js";
import type { Host } from "../host.js";
import { exportersFromEnv, samplerFromEnv } from "./env.js";
import { createTracingConcern } from "./server-span.js";
import { createTracing, createTracingFromEnv } from "./tracing.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const traceparent = `00-${TRACE_ID}-${PARENT_ID}-01`;
const GET_ACCOUNT = "polity.sys.account.v1.AccountService/GetAccount";

describe("tracing on one host", () => {
  const exporter = new InMemorySpanExporter();
  let database: TestDatabase, host: Host, dataDir: string, alice: Person;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("tracing");
    dataDir = mkdtempSync(join(tmpdir(), "polity-tracing-"));
    const config = loadConfig({
      env: { DATABASE_URL: database.url, POLITY_DATA_DIR: dataDir, POLITY_PORT: "0", POLITY_ADMIN_PORT: "0", POLITY_HOST: "127.0.0.1", POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "1000" },
    });
    const tracing = createTracing({ tiers: config.tiers, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    host = await composeHost(config, pino({ level: "info" }, { write: (line: string) => void logs.push(line) }), { tracing });
    alice = await signUpVerified(host.url, logs, "alice@example.org", "alice's secret password");
  });
  afterAll(async () => {
    await host?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => exporter.reset());

  const spansNamed = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
  const childrenOf = (span: ReadableSpan) => exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);

  it.each<[Protocol, string]>([
    ["grpc", "grpc"],
    ["connect", "connect_rpc"],
    ["grpc-web", "grpc"],
  ])("continues the caller's trace over %s, with the database's spans inside", async (protocol, system) => {
    const accounts = clientFor(AccountService, host.url, alice.token, protocol);
    await accounts.getAccount({ accountId: alice.accountId }, { headers: { traceparent } });

    const [server] = spansNamed(GET_ACCOUNT);
    expect(server).toBeDefined();
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(server!.resource.attributes["service.name"]).toBe("polity");
    expect(server!.attributes).toMatchObject({ "rpc.system": system, "rpc.service": "polity.sys.account.v1.AccountService", "rpc.method": "GetAccount", "rpc.grpc.status_code": 0 });
    expect(server!.status.code).toBe(SpanStatusCode.UNSET);

    const queries = childrenOf(server!).filter((s) => s.attributes["db.system"] === "postgresql");
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expect(q.kind).toBe(SpanKind.CLIENT);
      expect(q.spanContext().traceId).toBe(TRACE_ID);
      // Statements travel with placeholders, never with the values the call sent.
      expect(q.attributes["db.statement"]).not.toContain(alice.accountId);
    }

    const line = logs.map((l) => JSON.parse(l)).findLast((l) => l.msg === "rpc" && l.method === `/${GET_ACCOUNT}`);
    expect(line.trace_id).toBe(TRACE_ID);
  });

  it("starts a trace of its own without a traceparent; a refused call is not a server error", async () => {
    await expect(clientFor(AccountService, host.url).getAccount({ accountId: alice.accountId })).rejects.toThrow();
    const [server] = spansNamed(GET_ACCOUNT);
    expect(server!.parentSpanContext).toBeUndefined();
    expect(server!.attributes["rpc.grpc.status_code"]).toBe(16); // Unauthenticated
    expect(server!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("ignores a malformed traceparent", async () => {
    await clientFor(AccountService, host.url, alice.token).getAccount({ accountId: alice.accountId }, { headers: { traceparent: "00-zz-yy-01" } });
    const [server] = spansNamed(GET_ACCOUNT);
    expect(server!.parentSpanContext).toBeUndefined();
    expect(server!.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it("ends a server stream's span when the stream ends", async () => {
    const abort = new AbortController();
    const watch = clientFor(Health, host.url).watch({ service: "" }, { signal: abort.signal, headers: { traceparent } });
    for await (const _status of watch) break; // reading the first status, then the client goes away
    abort.abort();
    await expect.poll(() => spansNamed("grpc.health.v1.Health/Watch").length).toBe(1);
    const [server] = spansNamed("grpc.health.v1.Health/Watch");
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.attributes["rpc.grpc.status_code"]).toBe(1); // Canceled: the client's doing, not an error
    expect(server!.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe("the concern alone", () => {
  it("marks a server fault as an error and hands the error on unchanged", async () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = createTracing({ tiers: ["sys"], spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const method = AccountService.method.getAccount;
    const path = `/${GET_ACCOUNT}`;
    const ctx = createHandlerContext({
      service: AccountService,
      method,
      protocolName: "grpc",
      requestMethod: "POST",
      url: `http://localhost${path}`,
      requestHeader: { traceparent, "content-type": "application/grpc" },
    });
    const fault = new ConnectError("boom", Code.Internal);
    const handler = createTracingConcern(tracer)(method, path)(async () => {
      throw fault;
    });
    await expect(handler({ method, path, ctx, input: {} })).rejects.toBe(fault);
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.resource.attributes["service.name"]).toBe("polity-sys");
    expect(span!.attributes["rpc.grpc.status_code"]).toBe(Code.Internal);
    expect(span!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "boom" });
  });
});

describe("tracing configuration", () => {
  it("is off unless OTEL_* asks for an exporter", () => {
    expect(exportersFromEnv({})).toEqual([]);
    expect(createTracingFromEnv(["sys"], {})).toBeUndefined();
    expect(exportersFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toEqual(["otlp"]);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: "otlp,console" })).toEqual(["otlp", "console"]);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toEqual([]);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" })).toEqual([]);
  });

  it("refuses what it cannot do, by name", () => {
    expect(() => exportersFromEnv({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(ConfigError);
    expect(() => exportersFromEnv({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: "sometimes" })).toThrow(/OTEL_TRACES_SAMPLER/);
  });

  it("reads the sampler the spec names", () => {
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }).toString()).toMatch(/0\.25/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: "always_off" }).toString()).toMatch(/AlwaysOff/);
  });
});
