// Property-based fuzzing of every RPC of every polity.* service the server registers, on every wire the one
// port speaks (gRPC h2c; gRPC-Web binary and text, Connect binary and JSON, each on HTTP/1.1 and h2c), as
// nobody, with a garbage bearer and as the superadmin. Two kinds of input: well-typed messages with arbitrary
// values (derived from the descriptors and their buf.validate rules), and bodies that do not decode or break
// the framing; then odd protocol headers, a gzip bomb, and raw HTTP/1.1 and HTTP/2 connection garbage.
// Properties: every answer is well-formed for its protocol, no input makes a server fault (Internal, Unknown,
// DataLoss) nor an error-level log line, connections keep their promises (HTTP/1.1 keep-alive, HTTP/2 streams
// after early answers), and the server still answers afterwards.
//
// Fixed seeds (POLITY_FUZZ_SEED, default below) make every run the same; POLITY_FUZZ_RUNS raises the number of
// cases per RPC × wire. A failure prints fast-check's seed and path: rerun with them to replay the case.
import { create, type DescMethod, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MalformedAnswer, type Outcome, codeName, readAnswer, serverFault } from "./support/answers.js";
import { messageInit, stringFieldSetters, tame, wild } from "./support/arbitraries.js";
import { malformedBody, validBody } from "./support/bodies.js";
import { type Auth, authArbitrary, call } from "./support/call.js";
import { pathOf, polityServices, registeredServices } from "./support/contract.js";
import { type FuzzServer, startFuzzServer } from "./support/fuzz-server.js";
import { gzipBomb, oddHeaders } from "./support/headers.js";
import { createRawHttp, type RawHttp } from "./support/http.js";
import { exchangeHttp1 } from "./support/keep-alive.js";
import { brokenH2, brokenHttp1, sendRaw } from "./support/raw-connection.js";
import { envelope, frameMessage, isEnveloped, isStreaming, requestHeaders, usesJson, type Wire, wires } from "./support/wires.js";

const RUNS = Number(process.env.POLITY_FUZZ_RUNS ?? 3);
const SEED = Number(process.env.POLITY_FUZZ_SEED ?? 20261130);
const MALFORMED_RUNS_PER_WIRE = RUNS * 40;

/** One fixed seed per property, so each replays on its own. */
function seedFor(...parts: string[]): number {
  let h = SEED | 0;
  for (const c of parts.join("|")) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

const options = (seed: number, numRuns: number) => ({ seed, numRuns, plugins: [fc.interruptAfterTimeLimit(30_000)] });

describe("fuzzing every RPC on every protocol", async () => {
  const services = await polityServices();
  const methods = services.flatMap((s) => s.methods);
  let fuzz: FuzzServer;
  let http: RawHttp;
  let registered: Set<string>;
  let anyone: fc.Arbitrary<Auth>;
  // What the fuzzed calls got, by code and reason: printed at the end, to see how deep the inputs reached.
  const tally = new Map<string, number>();

  /** The property every answer must have; returns the outcome for further checks. */
  async function expectSound(wire: Wire, method: DescMethod, body: Uint8Array, auth: Auth, what: string): Promise<Outcome> {
    const where = `${pathOf(method)} on ${wire.name} as ${auth.kind} (${what})`;
    const from = fuzz.server.logs.length;
    let outcome: Outcome;
    try {
      outcome = await call(http, wire, method, body, auth);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    const key = outcome.unsupported ? `${what} HTTP 415 (wire not served)` : `${what} ${codeName(outcome.code)}${outcome.reason ? ` ${outcome.reason}` : ""}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    expect(serverFault(outcome.code), `${where}: ${codeName(outcome.code)} ${outcome.message}`).toBe(false);
    expect(fuzz.errorLines(from), `${where}: error-level log lines`).toEqual([]);
    return outcome;
  }

  beforeAll(async () => {
    fuzz = await startFuzzServer("fuzz", services);
    http = createRawHttp(fuzz.server.url);
    registered = registeredServices(fuzz.server.logs);
    anyone = authArbitrary(fuzz.adminToken);
  });
  beforeEach(() => http?.fresh());
  afterAll(async () => {
    console.log(`fuzzed calls by outcome (seed ${SEED}, ${RUNS} runs per RPC × wire):\n${[...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n}\t${k}`).join("\n")}`);
    http?.close();
    await fuzz?.stop();
  });

  it("covers every polity.* service the server registers, with descriptors for each", () => {
    const polity = [...registered].filter((name) => name.startsWith("polity."));
    expect(polity.length).toBeGreaterThanOrEqual(7);
    expect(polity.filter((name) => !services.some((s) => s.typeName === name))).toEqual([]);
    // Only unary and server-streaming RPCs exist; a client or bidi stream would need a caller of its own here.
    expect(methods.filter((m) => m.methodKind !== "unary" && m.methodKind !== "server_streaming").map(pathOf)).toEqual([]);
    expect(methods.filter((m) => registered.has(m.parent.typeName)).length).toBeGreaterThan(70);
  });

  for (const method of methods) {
    it(`${pathOf(method)}: well-typed requests with arbitrary values, on every wire, as anyone`, async (ctx) => {
      if (!registered.has(method.parent.typeName)) return ctx.skip();
      // Mostly values the rules accept (reaching the handlers), sometimes wild ones (testing the rules).
      const init = fc.oneof({ weight: 2, arbitrary: messageInit(method.input, fuzz.pool, tame) }, { weight: 1, arbitrary: messageInit(method.input, fuzz.pool, wild) });
      for (const wire of wires) {
        const property = fc.asyncProperty(anyone, init, async (auth, value) => {
          const message = create(method.input, value as never);
          let payload: Uint8Array;
          if (usesJson(wire)) {
            let json: string | undefined;
            try {
              json = toJsonString(method.input, message);
            } catch {
              // Not every binary value has a JSON form (a Timestamp past year 9999): nothing to send on this wire.
            }
            fc.pre(json !== undefined);
            payload = Buffer.from(json!);
          } else payload = toBinary(method.input, message);
          await expectSound(wire, method, frameMessage(wire, method, payload), auth, "well-typed");
        });
        await fc.assert(property, options(seedFor(pathOf(method), wire.name, "valid"), RUNS));
      }
    });
  }

  for (const wire of wires) {
    it(`${wire.name}: bodies that do not decode or break the framing, on every RPC, as anyone`, async () => {
      const live = methods.filter((m) => registered.has(m.parent.typeName));
      const bodies = new Map(live.map((method) => [method, malformedBody(wire, method, fuzz.pool)]));
      const property = fc.asyncProperty(fc.constantFrom(...live).chain((m) => bodies.get(m)!.map((body) => [m, body] as const)), anyone, async ([method, body], auth) => {
        await expectSound(wire, method, body, auth, "malformed");
      });
      await fc.assert(property, options(seedFor(wire.name, "malformed"), MALFORMED_RUNS_PER_WIRE));
    }, 120_000);
  }

  for (const wire of wires) {
    it(`${wire.name}: odd protocol headers (timeouts, encodings, codecs, versions, credentials) on every RPC`, async () => {
      const live = methods.filter((m) => registered.has(m.parent.typeName));
      const cases = fc.constantFrom(...live).chain((method) => fc.tuple(fc.constant(method), validBody(wire, method, fuzz.pool)));
      const property = fc.asyncProperty(cases, anyone, oddHeaders(wire), async ([method, body], auth, headers) => {
        const where = `${pathOf(method)} on ${wire.name} as ${auth.kind} with ${JSON.stringify(headers)}`;
        const from = fuzz.server.logs.length;
        const outcome = await call(http, wire, method, body, auth, headers).catch((error: unknown) => {
          // A header that changes the protocol may well be refused at the HTTP level; never with a server error.
          const status = /^\s+status (\d+)/m.exec((error as Error).message)?.[1];
          if (error instanceof MalformedAnswer && status && Number(status) >= 400 && Number(status) < 500) return undefined;
          throw new Error(`${where}: ${(error as Error).message}`);
        });
        if (outcome) expect(serverFault(outcome.code), `${where}: ${codeName(outcome.code)} ${outcome.message}`).toBe(false);
        expect(fuzz.errorLines(from), `${where}: error-level log lines`).toEqual([]);
      });
      await fc.assert(property, options(seedFor(wire.name, "headers"), RUNS * 10));
    }, 120_000);
  }

  it("refuses a gzip bomb (64 MiB of zeros in 64 KiB) with ResourceExhausted on every wire, and stays up", async () => {
    const method = methods.find((m) => pathOf(m) === "/polity.sys.auth.v1.AuthService/Register")!;
    const stream = methods.find((m) => pathOf(m) === "/polity.mod.voting.v1.VotingService/WatchPoll")!;
    const failures: string[] = [];
    for (const wire of wires) {
      for (const m of [method, stream]) {
        const enveloped = isEnveloped(wire, m);
        const body = enveloped ? envelope(gzipBomb, 0x01) : gzipBomb;
        const framed = wire.protocol === "grpc-web-text" ? Buffer.from(body.toString("base64")) : body;
        const header = !wire.protocol.startsWith("connect") ? "grpc-encoding" : enveloped ? "connect-content-encoding" : "content-encoding";
        try {
          const outcome = await call(http, wire, m, framed, { kind: "anonymous" }, { [header]: "gzip" });
          if (!outcome.unsupported && outcome.code !== Code.ResourceExhausted) failures.push(`${pathOf(m)} on ${wire.name}: ${codeName(outcome.code)} ${outcome.message}`);
        } catch (error) {
          failures.push(`${pathOf(m)} on ${wire.name}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("HTTP/1.1: a connection the server promises to keep (no \"connection: close\") stays open after any answer", async () => {
    const live = methods.filter((m) => registered.has(m.parent.typeName));
    const h1 = wires.filter((w) => w.http === "h1");
    const cases = fc.constantFrom(...h1).chain((wire) => fc.constantFrom(...live).chain((method) => {
      return fc.tuple(fc.constant(wire), fc.constant(method), fc.oneof(validBody(wire, method, fuzz.pool), malformedBody(wire, method, fuzz.pool)));
    }));
    const property = fc.asyncProperty(cases, anyone, async ([wire, method, body], auth) => {
      const where = `${pathOf(method)} on ${wire.name} as ${auth.kind}`;
      const token = auth.kind === "anonymous" ? undefined : auth.token;
      const exchange = await exchangeHttp1(fuzz.server.port, pathOf(method), requestHeaders(wire, method, token, isStreaming(method) ? 400 : undefined), body);
      readAnswer(wire, method, { status: exchange.status, headers: exchange.headers, trailers: {}, body: exchange.body, cut: false });
      if (exchange.keepAlivePromised) expect(exchange.closedAfterAnswer, `${where}: HTTP ${exchange.status} said keep-alive, then the server closed the connection`).toBe(false);
    });
    await fc.assert(property, options(seedFor("keep-alive"), RUNS * 15));
  }, 120_000);

  // A server may answer before it has read a request's body (415 for a wire it does not serve, ResourceExhausted from an
  // envelope's length prefix). The unread bodies must not pile up in the connection: node refuses every new stream
  // with ENHANCE_YOUR_CALM once a session holds maxSessionMemory (10 MB), which would cut off all calls on it.
  it("h2c: a connection keeps serving after 60 calls answered without reading their 400 KB bodies", async () => {
    const whoAmI = methods.find((m) => pathOf(m) === "/polity.sys.auth.v1.AuthService/WhoAmI")!;
    const text = wires.find((w) => w.protocol === "grpc-web-text" && w.http === "h2")!;
    const grpc = wires.find((w) => w.protocol === "grpc")!;
    const big = envelope(Buffer.alloc(300_000, 0x61));
    big.writeUInt32BE(5 * 1024 * 1024, 1); // announces more than the 4 MiB limit
    const watch = methods.find((m) => pathOf(m) === "/polity.mod.voting.v1.VotingService/WatchActivity")!;
    const announce = Buffer.from([0, 0x80, 0, 0, 0]); // a 2 GiB message, announced in 5 bytes
    const calls = [[text, whoAmI, Buffer.from(big.toString("base64"))], [grpc, whoAmI, big], [grpc, watch, announce]] as const;
    const answered: string[] = [];
    for (let i = 0; i < 60; i++) {
      const [wire, method, body] = calls[i % calls.length];
      try {
        const outcome = await call(http, wire, method, body, { kind: "anonymous" });
        answered.push(outcome.unsupported ? "HTTP 415" : codeName(outcome.code));
      } catch (error) {
        answered.push(`call ${i}, ${pathOf(method)} on ${wire.name}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    expect(answered.filter((a) => a !== "HTTP 415" && a !== "ResourceExhausted")).toEqual([]);
    const check = (await import("../../clients/src/gen/grpc/health/v1/health_pb.js")).Health.methods.find((m) => m.name === "Check")!;
    expect((await call(http, grpc, check, envelope(new Uint8Array()), { kind: "anonymous" })).code).toBe(0);
  }, 120_000);

  it("raw connections with broken HTTP/1.1 or HTTP/2 framing get a 4xx or a closed connection, never a 5xx or a crash", async () => {
    const property = fc.asyncProperty(fc.oneof(brokenHttp1, brokenH2), async (bytes) => {
      const from = fuzz.server.logs.length;
      const { data } = await sendRaw(fuzz.server.port, bytes);
      const text = data.toString("latin1");
      if (text.startsWith("HTTP/")) expect(text, `answer to ${JSON.stringify(Buffer.from(bytes).toString("latin1").slice(0, 200))}`).not.toMatch(/^HTTP\/1\.[01] 5/);
      expect(fuzz.errorLines(from), "error-level log lines").toEqual([]);
    });
    await fc.assert(property, options(seedFor("raw"), RUNS * 10));
    // Still serving, on both HTTP versions.
    const check = (await import("../../clients/src/gen/grpc/health/v1/health_pb.js")).Health.methods.find((m) => m.name === "Check")!;
    for (const wire of wires.filter((w) => w.protocol === "connect-json")) expect((await call(http, wire, check, Buffer.from("{}"), { kind: "anonymous" })).code).toBe(0);
  }, 120_000);

  it("logged nothing at level error or above for any of it", () => {
    expect(fuzz.errorLines().map((l) => l.slice(0, 400))).toEqual([]);
  });

  it("still serves afterwards: the health check answers SERVING on every wire", async () => {
    const { Health } = await import("../../clients/src/gen/grpc/health/v1/health_pb.js");
    const check = Health.methods.find((m) => m.name === "Check")!;
    for (const wire of wires) {
      const payload = usesJson(wire) ? Buffer.from("{}") : new Uint8Array();
      const outcome = await call(http, wire, check, frameMessage(wire, check, payload), { kind: "anonymous" });
      if (!outcome.unsupported) expect(outcome.code, wire.name).toBe(0);
    }
  });

  // Pinned findings, after the log test: until they are fixed they log at error level, and each test checks
  // its own lines.
  // Found by the well-typed fuzzer (seed 4242, 8 runs): Poll.id has no uuid rule, and UpdatePoll looked the poll up
  // by it, so PostgreSQL refused the text ("invalid input syntax for type uuid") and the caller got Internal.
  it("UpdatePoll with a poll id that is no UUID is refused as bad input, never Internal", async () => {
    const method = methods.find((m) => pathOf(m) === "/polity.mod.voting.v1.VotingService/UpdatePoll")!;
    const wire = wires.find((w) => w.protocol === "connect-json" && w.http === "h1")!;
    const communityId = fuzz.pool.byField.community_id[0];
    const failures: string[] = [];
    for (const id of ["", "not-a-uuid", "\u0000", "1 OR 1=1"]) {
      const body = Buffer.from(JSON.stringify({ poll: { id, communityId, title: "A fine title", method: "VOTING_METHOD_SCHULZE" }, updateMask: "title" }));
      const from = fuzz.server.logs.length;
      const outcome = await call(http, wire, method, body, { kind: "superadmin", token: fuzz.adminToken });
      if (outcome.code !== Code.InvalidArgument) failures.push(`poll.id ${JSON.stringify(id)}: ${codeName(outcome.code)} ${outcome.message}`);
      if (fuzz.errorLines(from).length > 0) failures.push(`poll.id ${JSON.stringify(id)}: logged at error level`);
    }
    expect(failures).toEqual([]);
  });

  // Found by the well-typed fuzzer (seed 99, 8 runs): a NUL character passes validation and reaches PostgreSQL,
  // which refuses it in a text parameter ("invalid message format"): Internal for a known principal, and for an
  // unknown one the denial audit insert fails (the denial goes unaudited, an error is logged).
  it("Check and CheckBatch with a NUL character in the question never answer Internal nor log an error", async () => {
    const check = methods.find((m) => pathOf(m) === "/polity.sys.authz.v1.AuthzService/Check")!;
    const batch = methods.find((m) => pathOf(m) === "/polity.sys.authz.v1.AuthzService/CheckBatch")!;
    const wire = wires.find((w) => w.protocol === "connect-json" && w.http === "h1")!;
    const victim = fuzz.pool.byField.account_id[0];
    const failures: string[] = [];
    for (const question of [{ principalId: victim, permission: "community.read", resource: "\u0000" }, { principalId: victim, permission: "sys.org.read", resource: "org/a\u0000b" }]) {
      for (const [method, body] of [[check, { question }], [batch, { questions: [question] }]] as const) {
        const from = fuzz.server.logs.length;
        const outcome = await call(http, wire, method, Buffer.from(JSON.stringify(body)), { kind: "superadmin", token: fuzz.adminToken });
        const where = `${method.name} ${JSON.stringify(question)}`;
        if (serverFault(outcome.code)) failures.push(`${where}: ${codeName(outcome.code)} ${outcome.message}`);
        const logged = fuzz.errorLines(from).map((l) => JSON.parse(l) as { msg?: string; err?: { message?: string } });
        if (logged.length > 0) failures.push(`${where}: logged at error level: ${logged.map((l) => `${l.msg} (${l.err?.message})`).join(", ")}`);
      }
    }
    expect(failures).toEqual([]);
  });

  // Found while pinning the one above: PostgreSQL refuses U+0000 in text ("invalid byte sequence for encoding
  // UTF8: 0x00") and no rule refuses it first, so free text with a NUL is Internal (even anonymously: Register's
  // display name, ListListings' query). Every string field of every RPC (top level and one message down) gets
  // "ab\u0000cd" in three otherwise tame requests, as the superadmin: the caller must be told, never Internal.
  it("a NUL character in any string field of any RPC is refused as bad input, never Internal", async () => {
    const wire = wires.find((w) => w.protocol === "connect-json" && w.http === "h1")!;
    const failures = new Map<string, string>();
    let sent = 0;
    for (const method of methods.filter((m) => registered.has(m.parent.typeName))) {
      const samples = fc.sample(messageInit(method.input, fuzz.pool, tame), { seed: seedFor(pathOf(method), "nul"), numRuns: 3 });
      for (const [path, set] of stringFieldSetters(method.input)) {
        for (const sample of samples) {
          const message = create(method.input, set(structuredClone(sample), "ab\u0000cd") as never);
          let json: string;
          try {
            json = toJsonString(method.input, message);
          } catch {
            continue;
          }
          const from = fuzz.server.logs.length;
          const outcome = await call(http, wire, method, Buffer.from(json), { kind: "superadmin", token: fuzz.adminToken });
          sent++;
          if (serverFault(outcome.code) || fuzz.errorLines(from).length > 0) failures.set(`${pathOf(method)} ${path}`, `${codeName(outcome.code)} ${outcome.message}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(300);
    expect([...failures].map(([where, what]) => `${where}: ${what}`)).toEqual([]);
  }, 120_000);

  // V8's JSON.parse error quotes the start of the input and may cut a surrogate pair in two; connect-es then puts
  // that message into grpc-message with encodeURIComponent, which throws on a lone surrogate, and no answer is
  // ever written. Found by the header fuzzer (content-type application/grpc-web+json); pinned here.
  it("gRPC and gRPC-Web with the JSON codec answer undecodable JSON whose error quotes half an emoji", async () => {
    const method = methods.find((m) => pathOf(m) === "/polity.mod.disco.v1.DiscoService/CreateListing")!;
    const body = envelope(Buffer.from(`!${"😀".repeat(20)}`));
    const failures: string[] = [];
    for (const wire of wires.filter((w) => w.protocol === "grpc" || w.protocol === "grpc-web")) {
      const type = wire.protocol === "grpc" ? "application/grpc+json" : "application/grpc-web+json";
      try {
        const outcome = await call(http, wire, method, body, { kind: "anonymous" }, { "content-type": type }, 5000);
        if (outcome.code !== Code.InvalidArgument) failures.push(`${type} on ${wire.name}: ${codeName(outcome.code)} ${outcome.message}`);
      } catch (error) {
        failures.push(`${type} on ${wire.name}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  // gRPC and connect-es answer a compressed frame in a stream that declared no encoding with Internal; it is
  // the caller's malformed input, so the project's rule (bad input is never Internal) wants InvalidArgument.
  it("a frame flagged compressed without a grpc-encoding is refused as bad input on every enveloped wire", async () => {
    const method = methods.find((m) => pathOf(m) === "/polity.sys.auth.v1.AuthService/WhoAmI")!;
    const stream = methods.find((m) => pathOf(m) === "/polity.mod.voting.v1.VotingService/WatchPoll")!;
    const failures: string[] = [];
    const from = fuzz.server.logs.length;
    for (const wire of wires) {
      for (const m of [method, stream]) {
        if (!isEnveloped(wire, m)) continue;
        const raw = envelope(new Uint8Array(), 0x01);
        const body = wire.protocol === "grpc-web-text" ? Buffer.from(raw.toString("base64")) : raw;
        try {
          const outcome = await call(http, wire, m, body, { kind: "superadmin", token: fuzz.adminToken });
          if (!outcome.unsupported && outcome.code !== Code.InvalidArgument) failures.push(`${pathOf(m)} on ${wire.name}: ${codeName(outcome.code)} ${outcome.message}`);
        } catch (error) {
          failures.push(`${pathOf(m)} on ${wire.name}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(fuzz.errorLines(from).map((l) => l.slice(0, 300))).toEqual([]);
  });
});
