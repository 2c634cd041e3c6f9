import { execFile } from "node:child_process";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as v1 from "../../clients/src/gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../clients/src/gen/grpc/reflection/v1alpha/reflection_pb.js";
import { Health } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { rule } from "../../clients/src/gen/polity/options/v1/options_pb.js";
import { createHealth } from "./health.js";
import { createReflection } from "./reflection.js";

const run = promisify(execFile);
const buf = new URL("../../node_modules/.bin/buf", import.meta.url).pathname;

describe("reflection", () => {
  const health = createHealth();
  const sessions = new Set<http2.ServerHttp2Session>();
  let server: http2.Http2Server;
  let url: string;

  beforeAll(async () => {
    const services = [health.service, ...createReflection([Health, AccountService])];
    server = http2.createServer(connectNodeAdapter({ routes: (router) => services.forEach((s) => router.service(s.desc, s.impl)) }));
    server.on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function ask(requests: v1.ServerReflectionRequest["messageRequest"][]): Promise<v1.ServerReflectionResponse[]> {
    const client = createClient(v1.ServerReflection, createGrpcTransport({ baseUrl: url }));
    const out: v1.ServerReflectionResponse[] = [];
    async function* send() {
      for (const messageRequest of requests) yield create(v1.ServerReflectionRequestSchema, { host: "h", messageRequest });
    }
    for await (const res of client.serverReflectionInfo(send())) out.push(res);
    return out;
  }
  const files = (res: v1.ServerReflectionResponse) => {
    if (res.messageResponse.case !== "fileDescriptorResponse") throw new Error(`expected files, got ${res.messageResponse.case}`);
    return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
  };

  it("lists the services, including its own", async () => {
    const [res] = await ask([{ case: "listServices", value: "" }]);
    expect(res.validHost).toBe("h");
    expect(res.originalRequest?.messageRequest.case).toBe("listServices");
    const names = res.messageResponse.case === "listServicesResponse" ? res.messageResponse.value.service.map((s) => s.name) : [];
    expect(names.sort()).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "polity.sys.account.v1.AccountService",
    ]);
  });

  it("returns a symbol's file with every transitive dependency, each once per stream", async () => {
    const [first, second, byFilename] = await ask([
      { case: "fileContainingSymbol", value: "polity.sys.account.v1.AccountService" },
      { case: "fileContainingSymbol", value: "polity.sys.account.v1.AccountService.GetAccount" },
      { case: "fileByFilename", value: "google/protobuf/timestamp.proto" },
    ]);
    const sent = files(first);
    expect(sent[0].name).toBe("polity/sys/account/v1/account.proto");
    expect(sent.map((f) => f.name)).toEqual(expect.arrayContaining([
      "buf/validate/validate.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/timestamp.proto",
      "polity/options/v1/options.proto",
    ]));
    // Complete: a registry can be built from what was sent alone (it throws on a missing import).
    const byName = new Map(sent.map((f) => [f.name, f]));
    const registry = createFileRegistry(sent[0], (name) => byName.get(name));
    expect(registry.getService("polity.sys.account.v1.AccountService")?.methods.length).toBeGreaterThan(0);
    // Already sent on this stream: only the file itself comes back.
    expect(files(second).map((f) => f.name)).toEqual(["polity/sys/account/v1/account.proto"]);
    expect(files(byFilename).map((f) => f.name)).toEqual(["google/protobuf/timestamp.proto"]);
  });

  it("finds messages, fields and extensions, and answers errors in-band", async () => {
    const [message, field, ext, numbers, unknownSymbol, unknownExt, unknownFile] = await ask([
      { case: "fileContainingSymbol", value: ".google.protobuf.Timestamp" },
      { case: "fileContainingSymbol", value: "grpc.health.v1.HealthCheckRequest.service" },
      { case: "fileContainingExtension", value: create(v1.ExtensionRequestSchema, { containingType: "google.protobuf.MethodOptions", extensionNumber: rule.number }) },
      { case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" },
      { case: "fileContainingSymbol", value: "no.such.Thing" },
      { case: "fileContainingExtension", value: create(v1.ExtensionRequestSchema, { containingType: "google.protobuf.MethodOptions", extensionNumber: 1 }) },
      { case: "fileByFilename", value: "nope.proto" },
    ]);
    expect(files(message)[0].name).toBe("google/protobuf/timestamp.proto");
    expect(files(field)[0].name).toBe("grpc/health/v1/health.proto");
    expect(files(ext)[0].name).toBe("polity/options/v1/options.proto");
    expect(numbers.messageResponse).toMatchObject({ case: "allExtensionNumbersResponse", value: { baseTypeName: "google.protobuf.MethodOptions" } });
    expect(numbers.messageResponse.case === "allExtensionNumbersResponse" && numbers.messageResponse.value.extensionNumber).toContain(rule.number);
    for (const res of [unknownSymbol, unknownExt, unknownFile]) {
      expect(res.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: 5 } });
    }
  });

  it("serves v1alpha too", async () => {
    const client = createClient(v1alpha.ServerReflection, createGrpcTransport({ baseUrl: url }));
    async function* send() {
      yield create(v1alpha.ServerReflectionRequestSchema, { messageRequest: { case: "fileContainingSymbol", value: "grpc.health.v1.Health" } });
    }
    const out = [];
    for await (const res of client.serverReflectionInfo(send())) out.push(res);
    expect(out[0].messageResponse.case).toBe("fileDescriptorResponse");
  });

  it("lets buf curl list and call services without a local schema", async () => {
    const curl = (...args: string[]) => run(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { timeout: 20_000 });
    const services = await curl("--list-services", url);
    expect(services.stdout.split("\n")).toEqual(expect.arrayContaining(["polity.sys.account.v1.AccountService", "grpc.health.v1.Health"]));
    const methods = await curl("--list-methods", url);
    expect(methods.stdout).toContain("polity.sys.account.v1.AccountService/GetAccount");
    const check = await curl("-d", "{}", `${url}/grpc.health.v1.Health/Check`);
    expect(JSON.parse(check.stdout)).toEqual({ status: "SERVING" });
  }, 30_000);
});
