// One call pipeline, whatever the protocol: a throwaway concern added to the host must run exactly once for
// every method it serves, on every protocol and HTTP version — gRPC (h2c), gRPC-Web binary (HTTP/1.1, h2c) and
// text (HTTP/1.1), Connect binary and JSON (HTTP/1.1, h2c) — unary and streaming alike, whichever serving path
// (a fast path or connect-node) answered. Each request carries a probe id; the concern records the ids it saw.
import type { DescMethod } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Concern } from "../sys/core/pipeline/concern.js";
import { requestHeaderOf } from "../sys/core/pipeline/concern.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const PROBE = "x-pipeline-probe";
const seen = new Map<string, number>();
const registered = new Map<string, DescMethod>();
const throwaway: Concern = (method, path) => {
  registered.set(path, method);
  return (next) => (call) => {
    const probe = requestHeaderOf(call.ctx, PROBE);
    if (probe) seen.set(probe, (seen.get(probe) ?? 0) + 1);
    return next(call);
  };
};

type Protocol = { name: string; transport?: (url: string) => Transport; streams: "all" | "server"; raw?: "grpc-web-text" };
const protocols: Protocol[] = [
  { name: "grpc h2c", transport: (baseUrl) => createGrpcTransport({ baseUrl }), streams: "all" },
  { name: "grpc-web binary http/1.1", transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }), streams: "server" },
  { name: "grpc-web binary h2c", transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2" }), streams: "all" },
  { name: "grpc-web text http/1.1", streams: "server", raw: "grpc-web-text" },
  { name: "connect binary http/1.1", transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }), streams: "server" },
  { name: "connect json http/1.1", transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }), streams: "server" },
  { name: "connect binary h2c", transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }), streams: "all" },
  { name: "connect json h2c", transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }), streams: "all" },
];

let server: TestServer;
beforeAll(async () => {
  server = await startInProcessServer({}, { concerns: [throwaway] });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/** Sends one empty request (one empty message for a stream) and reads at most the first reply. */
async function probe(protocol: Protocol, method: DescMethod, id: string): Promise<void> {
  const signal = AbortSignal.timeout(5000);
  if (protocol.raw) {
    // An empty message in one gRPC-Web frame, base64: what grpc-web's text mode sends.
    const res = await fetch(`${server.url}/${method.parent.typeName}/${method.name}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web-text", "x-grpc-web": "1", [PROBE]: id },
      body: Buffer.from([0, 0, 0, 0, 0]).toString("base64"),
      signal,
    });
    const reader = res.body?.getReader();
    await reader?.read().catch(() => undefined);
    await reader?.cancel().catch(() => undefined);
    return;
  }
  const client = createClient(method.parent, protocol.transport!(server.url)) as unknown as Record<string, (input: unknown, options: object) => unknown>;
  const controller = new AbortController();
  const options = { headers: { [PROBE]: id }, signal: AbortSignal.any([signal, controller.signal]) };
  const input = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming" ? (async function* () { yield {}; })() : {};
  try {
    const reply = client[method.localName](input, options);
    if (method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming") {
      for await (const _ of reply as AsyncIterable<unknown>) break; // one reply is enough; a watch never ends
    } else await reply;
  } catch {
    // Most methods refuse an empty anonymous request: the concern ran before that answer.
  } finally {
    controller.abort();
  }
}

describe("the call pipeline", () => {
  it("runs a throwaway concern exactly once per call, for every method on every protocol", async () => {
    const methods = [...registered.values()];
    // The host's own services and every module's: sys, mod, health and reflection.
    expect(methods.map((m) => m.parent.typeName)).toEqual(expect.arrayContaining(["polity.sys.account.v1.AccountService", "polity.mod.voting.v1.VotingService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]));
    expect(methods.some((m) => m.methodKind === "server_streaming")).toBe(true);
    expect(methods.some((m) => m.methodKind === "bidi_streaming")).toBe(true);
    const expected: string[] = [];
    for (const protocol of protocols) {
      for (const method of methods) {
        const streamsIn = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
        if (streamsIn && protocol.streams !== "all") continue; // HTTP/1.1 carries no client streams
        const id = `${protocol.name}|${method.parent.typeName}/${method.name}`;
        expected.push(id);
        await probe(protocol, method, id);
      }
    }
    const missed = expected.filter((id) => seen.get(id) !== 1).map((id) => `${id}: ${seen.get(id) ?? 0}`);
    expect(missed).toEqual([]);
    expect(seen.size).toBe(expected.length);
  }, 120_000);
});
