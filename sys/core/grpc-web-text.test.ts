// gRPC-Web text mode (base64 bodies) against the real server on its one port, over HTTP/1.1 and h2c: unary
// calls (the gRPC-Web fast path behind the adapter) and server streaming (connect-node behind it), requests cut
// into odd chunks and sent as concatenated padded segments, malformed base64, and bodies past the limit; then
// the official grpc-web client in its text mode, whose own parser must read the answers.
import http from "node:http";
import { createRequire } from "node:module";
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { GrpcWebClientBase, MethodDescriptor, type RpcError, StatusCode } from "grpc-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { type HealthCheckRequest, HealthCheckRequestSchema, type HealthCheckResponse, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { startInProcessServer, type TestServer } from "../../test/support/server.js";
import { createBase64Decoder } from "./grpc-web-text.js";
import { frame } from "./grpc-fast-path.js";

const MAX = 65536;
const CHECK = "/grpc.health.v1.Health/Check";
const WATCH = "/grpc.health.v1.Health/Watch";
const TEXT = "application/grpc-web-text";
let server: TestServer;

beforeAll(async () => {
  server = await startInProcessServer({ POLITY_MAX_MESSAGE_BYTES: String(MAX) });
}, 120_000);
afterAll(() => server?.stop());

type Version = "1.1" | "2";
interface Answer { status: number; headers: Record<string, unknown>; text: string }
interface Exchange {
  write(text: string): Promise<boolean>;
  end(): void;
  close(): void;
  /** Status and headers, once they are in. */
  head: Promise<{ status: number; headers: Record<string, unknown> }>;
  /** The body text so far; `more()` resolves on the next chunk (or the end). */
  text(): string;
  more(): Promise<void>;
  done: Promise<Answer>;
  /** The request side failed or was closed by the server. */
  cut: Promise<void>;
}

/** One POST over HTTP/1.1 or h2c whose body is written piece by piece and whose answer can be read as it comes. */
function open(version: Version, path: string, type = TEXT): Exchange {
  let body = "";
  let over = false;
  let wake = () => {};
  let setHead!: (head: { status: number; headers: Record<string, unknown> }) => void;
  let finish!: () => void;
  let fail!: (e: Error) => void;
  let cutOff!: () => void;
  const head = new Promise<{ status: number; headers: Record<string, unknown> }>((resolve) => (setHead = resolve));
  const ended = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const cut = new Promise<void>((resolve) => (cutOff = resolve));
  const onBody = (incoming: NodeJS.ReadableStream) => {
    incoming.setEncoding("latin1");
    incoming.on("data", (chunk: string) => ((body += chunk), wake()));
    incoming.on("end", () => ((over = true), finish(), wake()));
    incoming.on("close", () => ((over = true), wake()));
  };
  let sink: NodeJS.WritableStream & { destroy(): void };
  const url = new URL(server.url);
  if (version === "1.1") {
    const req = http.request({ host: url.hostname, port: url.port, path, method: "POST", agent: false, headers: { "content-type": type, accept: TEXT } }, (res) => {
      setHead({ status: res.statusCode!, headers: res.headers });
      onBody(res);
    });
    req.on("error", (e) => (cutOff(), fail(e)));
    req.on("close", cutOff);
    sink = req;
  } else {
    const session = http2.connect(server.url);
    session.on("error", () => undefined);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": type, accept: TEXT });
    req.on("response", (headers) => {
      setHead({ status: Number(headers[":status"]), headers });
      onBody(req);
    });
    req.on("error", (e) => (cutOff(), fail(e)));
    req.on("close", () => (cutOff(), session.close()));
    sink = req as never;
  }
  return {
    write: (text) => new Promise((resolve) => {
      if ((sink as unknown as { destroyed: boolean }).destroyed || (sink as unknown as { writableEnded: boolean }).writableEnded) return resolve(false);
      sink.write(text, "latin1", (e) => resolve(!e));
      void cut.then(() => resolve(false)); // a write to a stream the server reset may never call back
    }),
    end: () => sink.end(),
    close: () => sink.destroy(),
    head,
    text: () => body,
    more: () => new Promise<void>((resolve) => (over ? resolve() : (wake = resolve))),
    done: ended.then(async () => ({ ...(await head), text: body })),
    cut,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `text` cut into pieces of 1, 2, 3, 5, 7, 11… characters, each after a short pause so it arrives alone. */
async function call(version: Version, path: string, text: string, type = TEXT): Promise<Answer> {
  const exchange = open(version, path, type);
  const sizes = [1, 2, 3, 5, 7, 11, 13];
  for (let at = 0, i = 0; at < text.length; at += sizes[i % sizes.length], i++) {
    await exchange.write(text.slice(at, at + sizes[i % sizes.length]));
    await pause(5);
  }
  exchange.end();
  return exchange.done;
}

const envelope = (payload: Uint8Array, flags = 0) => frame(flags, payload);
/** Base64 as the spec reads it: 4-character groups, each decoded on its own (so padded segments may follow). */
function decodeSpec(text: string): Buffer {
  expect(text).toMatch(/^(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)*$/);
  const groups = text.match(/.{4}/g) ?? [];
  return Buffer.concat(groups.map((group) => Buffer.from(group, "base64")));
}
/** The frames of a gRPC-Web body: messages as bytes, the trailer frame as Headers. */
function framesOf(data: Buffer) {
  const messages: Buffer[] = [];
  let trailers: Headers | undefined;
  for (let at = 0; at + 5 <= data.length; at += 5 + data.readUInt32BE(at + 1)) {
    const payload = data.subarray(at + 5, at + 5 + data.readUInt32BE(at + 1));
    if (data[at] & 0x80) {
      trailers = new Headers();
      for (const line of payload.toString("latin1").split("\r\n").filter(Boolean)) {
        const colon = line.indexOf(":");
        trailers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
    } else messages.push(payload);
  }
  return { messages, trailers };
}
type Frames = ReturnType<typeof framesOf>;
/** Reads the answer (whole 4-character groups of it) until `enough` says so; fails if it ends first. */
async function framesUntil(exchange: Exchange, enough: (frames: Frames) => boolean): Promise<Frames> {
  for (;;) {
    const text = exchange.text();
    const frames = framesOf(decodeSpec(text.slice(0, text.length - (text.length % 4))));
    if (enough(frames)) return frames;
    await exchange.more();
    if (exchange.text().length === text.length) throw new Error(`answer over too early: ${text}`);
  }
}
const trailersOf = async (exchange: Exchange) => (await framesUntil(exchange, (frames) => frames.trailers !== undefined)).trailers!;
const checkRequest = (service = "") => envelope(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service })));
const reasonOf = (trailers: Headers | undefined) => findTrailerError(trailers ?? new Headers())?.findDetails(ErrorInfoSchema)[0]?.reason;

describe.each(["1.1", "2"] as const)("gRPC-Web text over HTTP/%s", (version) => {
  it("answers a unary call sent in odd chunks, in base64 with the text content type", async () => {
    const answer = await call(version, CHECK, checkRequest().toString("base64"));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/grpc-web-text+proto");
    const { messages, trailers } = framesOf(decodeSpec(answer.text));
    expect(trailers?.get("grpc-status")).toBe("0");
    expect(messages).toHaveLength(1);
    expect(fromBinary(HealthCheckResponseSchema, messages[0]).status).toBe(Status.SERVING);
  });

  it("decodes a request sent as concatenated padded segments, and answers +proto as asked", async () => {
    const request = checkRequest("polity.no.such.Service");
    // "xx==" then "xxxxxx==": padding in the middle of the body, as the spec allows.
    const text = request.subarray(0, 1).toString("base64") + request.subarray(1).toString("base64");
    expect(text.indexOf("=")).toBeLessThan(text.length - 2);
    const answer = await call(version, CHECK, text, "application/grpc-web-text+proto");
    const { messages, trailers } = framesOf(decodeSpec(answer.text));
    expect(messages).toHaveLength(0);
    expect(Number(trailers?.get("grpc-status"))).toBe(Code.NotFound); // the health service's own answer: the body decoded right
  });

  it("keeps the JSON codec: +json in, +json out", async () => {
    const answer = await call(version, CHECK, envelope(Buffer.from("{}")).toString("base64"), "application/grpc-web-text+json");
    expect(answer.headers["content-type"]).toBe("application/grpc-web-text+json");
    const { messages, trailers } = framesOf(decodeSpec(answer.text));
    expect(trailers?.get("grpc-status")).toBe("0");
    expect(JSON.parse(messages[0].toString())).toEqual({ status: "SERVING" });
  });

  it("streams server-streaming answers as they come (Health.Watch through connect-node)", async () => {
    const exchange = open(version, WATCH);
    await exchange.write(checkRequest().toString("base64"));
    exchange.end();
    const head = await exchange.head;
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("application/grpc-web-text+proto");
    // The first message arrives while the call is still open: its segment is complete on its own.
    const { messages, trailers } = await framesUntil(exchange, (frames) => frames.messages.length > 0);
    expect(trailers).toBeUndefined();
    expect(fromBinary(HealthCheckResponseSchema, messages[0]).status).toBe(Status.SERVING);
    exchange.close();
  });

  it.each([
    ["a character outside the alphabet", "AAAA*AAA"],
    ["padding at the start of a group", "AAAA=AAA"],
    ["three padding characters", "AA==A==="],
    ["an incomplete last group", "AAAAAAA"],
  ])("refuses %s as MALFORMED_MESSAGE", async (_name, text) => {
    const answer = await call(version, CHECK, text);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/grpc-web-text+proto");
    const { messages, trailers } = framesOf(decodeSpec(answer.text));
    expect(messages).toHaveLength(0);
    expect(Number(trailers?.get("grpc-status"))).toBe(Code.InvalidArgument);
    expect(reasonOf(trailers)).toBe("MALFORMED_MESSAGE");
  });

  it("still serves on the connection after a malformed body", async () => {
    expect((await call(version, CHECK, "AA==AA*=")).status).toBe(200);
    const { trailers } = framesOf(decodeSpec((await call(version, CHECK, checkRequest().toString("base64"))).text));
    expect(trailers?.get("grpc-status")).toBe("0");
  });

  it.each([
    ["counted past one message (gRPC-Web fast path, unary)", CHECK, MAX],
    ["announced past the limit (connect-node, server streaming)", WATCH, MAX + 1],
  ])("cuts an endless base64 body %s: RESOURCE_EXHAUSTED", async (_name, path, announced) => {
    const exchange = open(version, path);
    let answered = false;
    void exchange.head.then(() => (answered = true));
    // A padded prefix announcing `announced` bytes, then zero bytes that never end.
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(announced, 1);
    await exchange.write(prefix.toString("base64"));
    const piece = "A".repeat(64 * 1024);
    let sent = 0;
    while (!answered && sent < 256 * 1024 * 1024 && (await exchange.write(piece))) sent += piece.length;
    // Answered although the body never ended; the client got no further than what the socket buffers hold.
    expect(answered).toBe(true);
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    const trailers = await trailersOf(exchange);
    expect(Number(trailers.get("grpc-status"))).toBe(Code.ResourceExhausted);
    // Whatever the client goes on sending is dropped, then the server stops taking it.
    let after = 0;
    while (after < 64 * 1024 * 1024 && (await exchange.write(piece))) after += piece.length;
    expect(after).toBeLessThan(64 * 1024 * 1024);
    exchange.close();
  });
});

describe("base64 decoder", () => {
  it("decodes any cut of concatenated padded segments", () => {
    const bytes = Buffer.from(Array.from({ length: 50 }, (_, i) => (i * 37) & 0xff));
    const text = [bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3, 30), bytes.subarray(30)].map((b) => b.toString("base64")).join("");
    for (let cut = 0; cut <= text.length; cut++) {
      const decoder = createBase64Decoder();
      const out = Buffer.concat([decoder.push(Buffer.from(text.slice(0, cut))), decoder.push(Buffer.from(text.slice(cut)))]);
      decoder.end();
      expect(out.equals(bytes)).toBe(true);
    }
  });
});

describe("the grpc-web client in text mode", () => {
  // grpc-web runs on XMLHttpRequest; xhr2 is node's, except that it shows the response text only once the answer
  // is complete. A browser shows it as it grows and fires readystatechange as it does: so does this subclass.
  const Xhr2 = createRequire(import.meta.url)("xhr2") as new () => XMLHttpRequest & { _responseParts: Buffer[] | null };
  class StreamingXhr extends Xhr2 {
    constructor() {
      super();
      this.addEventListener("progress", () => {
        if (this._responseParts) Object.assign(this, { responseText: Buffer.concat(this._responseParts).toString("latin1") });
        this.onreadystatechange?.(new Event("readystatechange"));
      });
    }
  }
  beforeAll(() => void Object.assign(globalThis, { XMLHttpRequest: StreamingXhr }));
  afterAll(() => void Reflect.deleteProperty(globalThis, "XMLHttpRequest"));
  const client = new GrpcWebClientBase({ format: "text" });
  const method = (name: string, type: "unary" | "server_streaming") =>
    new MethodDescriptor<HealthCheckRequest, HealthCheckResponse>(`/grpc.health.v1.Health/${name}`, type, Object as never, Object as never, (request: HealthCheckRequest) => toBinary(HealthCheckRequestSchema, request), (bytes: Uint8Array) => fromBinary(HealthCheckResponseSchema, bytes));
  const request = (service = "") => create(HealthCheckRequestSchema, { service });

  it("reads a unary answer", async () => {
    const response = await client.unaryCall(server.url + CHECK, request(), {}, method("Check", "unary"));
    expect(response.status).toBe(Status.SERVING);
  });

  it("reads a streamed message while the stream is open", async () => {
    const stream = client.serverStreaming(server.url + WATCH, request(), {}, method("Watch", "server_streaming"));
    const first = await new Promise<HealthCheckResponse>((resolve, reject) => {
      stream.on("data", resolve);
      stream.on("error", reject);
    });
    stream.cancel();
    expect(first.status).toBe(Status.SERVING);
  });

  it("reads an error from the trailers", async () => {
    const error = (await client.unaryCall(server.url + CHECK, request("polity.no.such.Service"), {}, method("Check", "unary")).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(StatusCode.NOT_FOUND);
    expect(error.message).toMatch(/polity\.no\.such\.Service/);
  });
});
