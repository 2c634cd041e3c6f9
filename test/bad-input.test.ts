// "Bad input: empty, oversized, malformed and wrong-typed fields on every RPC return InvalidArgument with the
// field named; nothing is written." Generic over every method of every polity.* service the server registers
// (unary, and server-streaming, where the stream must end with the error before any message): the cases are derived from the generated descriptors and their buf.validate rules, so a new RPC is
// covered without touching this file. Runs on PostgreSQL as the bootstrap superadmin (authorization passes),
// and compares the row counts of every sys and mod table before and after.
import { readdirSync } from "node:fs";
import http2 from "node:http2";
import { join, relative } from "node:path";
import { create, type DescField, type DescMessage, type DescMethod, type DescService, fromBinary, getOption } from "@bufbuild/protobuf";
import { base64Decode, BinaryReader } from "@bufbuild/protobuf/wire";
import { field as fieldExt, type FieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../clients/src/gen/google/rpc/error_details_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { type Protocol, transportFor } from "./support/clients.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { repoRoot, startInProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const MiB = 1024 * 1024;

// --- the contract, read from the generated code -------------------------------------------------------------

async function polityServices(): Promise<DescService[]> {
  const root = join(repoRoot, "clients", "src", "gen", "polity");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_pb.ts"));
  const services: DescService[] = [];
  for (const file of files) {
    const mod = (await import(`./${relative(import.meta.dirname, join(root, file)).replace(/\.ts$/, ".js")}`)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (value && typeof value === "object" && (value as { kind?: unknown }).kind === "service") services.push(value as DescService);
    }
  }
  return services;
}

const rulesOf = (f: DescField): FieldRules | undefined => (getOption(f, fieldExt) as FieldRules | undefined) ?? undefined;

/** Whether the zero value of a field breaks its rules: what an empty request must be refused for. */
function zeroIsInvalid(f: DescField): boolean {
  const rules = rulesOf(f);
  if (!rules || rules.ignore !== 0) return false;
  if (rules.required) return true;
  // An unset optional field or oneof member is absent, and absent fields are not checked.
  if (f.oneof || f.proto.proto3Optional) return false;
  if (rules.type.case === "string") {
    const s = rules.type.value;
    if (s.minLen > 0n || s.minBytes > 0n || s.wellKnown.case !== undefined) return true;
    if (s.pattern && !new RegExp(s.pattern).test("")) return true;
  }
  if (rules.type.case === "repeated" && rules.type.value.minItems > 0n) return true;
  return false;
}

interface Oversized { path: string; build: () => Record<string, unknown> }

/** Every string field with max_len (top level and one message level down), set to max_len + 1 characters. */
function oversizedCases(input: DescMessage): Oversized[] {
  const out: Oversized[] = [];
  const walk = (message: DescMessage, prefix: string[], wrap: (v: Record<string, unknown>) => Record<string, unknown>) => {
    for (const f of message.fields) {
      const rules = rulesOf(f);
      if (f.fieldKind === "scalar" && rules?.type.case === "string" && rules.type.value.maxLen > 0n) {
        // A URL field gets a URL, so its length is the only thing wrong with it.
        const start = rules.type.value.wellKnown.case === "uri" ? "https://example.org/" : "";
        const value = start + "x".repeat(Number(rules.type.value.maxLen) + 1 - start.length);
        // A oneof member is set through its oneof: { choice: { case: "optionId", value } }.
        const init = f.oneof ? { [f.oneof.localName]: { case: f.localName, value } } : { [f.localName]: value };
        out.push({ path: [...prefix, f.name].join("."), build: () => wrap(init) });
      }
      if (f.fieldKind === "message" && prefix.length === 0 && !f.message.typeName.startsWith("google.protobuf.")) {
        const sub = f.message;
        const oneof = f.oneof;
        walk(sub, [f.name], (v) => (oneof ? { [oneof.localName]: { case: f.localName, value: create(sub, v as never) } } : { [f.localName]: create(sub, v as never) }));
      }
    }
  };
  walk(input, [], (v) => v);
  return out;
}

/** A JSON value of the wrong type for a field: a number for a string, an object for a list, and so on. */
function wrongJson(f: DescField): unknown {
  if (f.fieldKind === "list") return { not: "a list" };
  if (f.fieldKind === "map") return ["not", "a", "map"];
  if (f.fieldKind === "message") return 42;
  if (f.fieldKind === "enum") return { not: "an enum" };
  // scalar: protobuf JSON accepts numeric strings for numbers, so give text that is no number.
  const text = f.scalar === 9 || f.scalar === 12; // STRING, BYTES
  if (text) return 123;
  return f.scalar === 8 ? "yes" : "not a number"; // BOOL : numbers
}

// --- raw wire helpers ------------------------------------------------------------------------------------------

function envelope(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/** One raw gRPC call over h2c; returns the status trailers. */
async function rawGrpc(url: string, path: string, body: Buffer, token: string): Promise<{ status: number; message: string; details?: string }> {
  const session = http2.connect(url);
  try {
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${token}` });
    const meta: Record<string, unknown> = {};
    req.on("response", (h) => Object.assign(meta, h));
    req.on("trailers", (t) => Object.assign(meta, t));
    req.on("data", () => {});
    req.on("error", () => {});
    req.end(body);
    await new Promise((resolve) => req.once("close", resolve));
    return { status: Number(meta["grpc-status"]), message: decodeURIComponent(String(meta["grpc-message"] ?? "")), details: meta["grpc-status-details-bin"] as string | undefined };
  } finally {
    session.close();
  }
}

/** One Connect unary call with a raw body; returns the HTTP status and the Connect error JSON. */
async function rawConnect(url: string, path: string, contentType: string, body: Uint8Array | string, token: string) {
  const res = await fetch(url + path, { method: "POST", headers: { "content-type": contentType, "connect-protocol-version": "1", authorization: `Bearer ${token}` }, body: body as BodyInit });
  const text = await res.text();
  let json: { code?: string; message?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not an error body
  }
  return { status: res.status, code: json.code, message: json.message ?? text };
}

// Deliberately undecodable protobuf: a tag varint that overflows 32 bits, then an invalid wire type.
const GARBAGE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x07, 0x13, 0x00]);

async function rejected(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

type AnyClient = Record<string, (req: object) => Promise<unknown> | AsyncIterable<unknown>>;

/** Calls a unary method, or opens a server stream and reads it to the end (where a refused request fails). */
async function invoke(client: AnyClient, method: DescMethod, req: object): Promise<unknown> {
  if (method.methodKind === "unary") return client[method.localName](req);
  if (method.methodKind !== "server_streaming") throw new Error(`${method.name}: ${method.methodKind} is not covered`);
  const received: unknown[] = [];
  for await (const message of client[method.localName](req) as AsyncIterable<unknown>) received.push(message);
  return received;
}

/**
 * One Connect server-streaming call with a raw JSON message; the error arrives in the end-of-stream message
 * (HTTP 200), never after a data message.
 */
async function rawConnectStream(url: string, path: string, json: string, token: string) {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", authorization: `Bearer ${token}` },
    body: envelope(new TextEncoder().encode(json)) as unknown as BodyInit,
  });
  const body = Buffer.from(await res.arrayBuffer());
  let data = 0;
  let end: { error?: { code?: string; message?: string } } | undefined;
  for (let at = 0; at + 5 <= body.length;) {
    const flags = body[at];
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length).toString("utf8");
    if (flags & 0x02) end = JSON.parse(payload);
    else data++;
    at += 5 + length;
  }
  return { status: res.status, data, code: end?.error?.code, message: end?.error?.message ?? body.toString("utf8") };
}

/** Any Connect call with a raw JSON body: unary as such, a server stream enveloped. */
async function rawConnectJson(url: string, method: DescMethod, json: string, token: string) {
  const path = `/${method.parent.typeName}/${method.name}`;
  if (method.methodKind === "unary") return { ...(await rawConnect(url, path, "application/json", json, token)), stream: false, data: 0 };
  return { ...(await rawConnectStream(url, path, json, token)), stream: true };
}

// --- the test -------------------------------------------------------------------------------------------------

describe("bad input on every RPC (PostgreSQL, as superadmin)", async () => {
  const services = await polityServices();
  let server: TestServer;
  let database: TestDatabase;
  let db: pg.Client;
  let token = "";
  let methods: DescMethod[] = [];
  let before: Record<string, number>;

  const counts = async () => {
    const tables = await db.query<{ s: string; t: string }>(
      "select table_schema as s, table_name as t from information_schema.tables where table_schema in ('sys','mod') and table_type = 'BASE TABLE' order by 1, 2",
    );
    const out: Record<string, number> = {};
    for (const { s, t } of tables.rows) out[`${s}.${t}`] = Number((await db.query(`select count(*) as n from "${s}"."${t}"`)).rows[0].n);
    return out;
  };

  beforeAll(async () => {
    database = await createTestDatabase("bad_input");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, DATABASE_URL: database.url });
    const serving = server.logs.map((l) => JSON.parse(l) as { msg?: string; services?: string[] }).find((l) => l.msg === "polityd serving");
    const registered = new Set(serving?.services ?? []);
    methods = services.filter((s) => registered.has(s.typeName)).flatMap((s) => s.methods);
    token = (await createClient(AuthService, transportFor(server.url)).login(ADMIN)).tokens!.accessToken;
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    before = await counts();
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
    await database?.drop();
  });

  it("covers every polity.* service the server registers, unary and server-streaming", () => {
    const names = new Set(methods.map((m) => m.parent.typeName));
    expect(names.size).toBeGreaterThanOrEqual(7);
    for (const s of ["polity.sys.auth.v1.AuthService", "polity.sys.account.v1.AccountService", "polity.sys.account.v1.OrgProjectService",
      "polity.sys.authz.v1.AuthzService", "polity.sys.community.v1.CommunityService", "polity.mod.voting.v1.VotingService"]) {
      expect(names).toContain(s);
    }
    // Only these two kinds exist in the contract; a client- or bidi-streaming RPC would need cases of its own.
    expect(methods.filter((m) => m.methodKind !== "unary" && m.methodKind !== "server_streaming").map((m) => m.name)).toEqual([]);
    expect(methods.filter((m) => m.methodKind === "server_streaming").map((m) => m.name)).toEqual(expect.arrayContaining(["WatchPoll", "WatchActivity"]));
    expect(Object.keys(before).some((t) => t.startsWith("sys."))).toBe(true);
  });

  for (const protocol of ["grpc", "connect", "grpc-web"] as Protocol[]) {
    it(`refuses empty requests naming the field (${protocol})`, async () => {
      const transport = transportFor(server.url, protocol, () => token);
      let checked = 0;
      for (const method of methods) {
        const needed = method.input.fields.filter(zeroIsInvalid).map((f) => f.name);
        if (needed.length === 0) continue;
        const client = createClient(method.parent, transport) as unknown as AnyClient;
        const err = await rejected(invoke(client, method, {}));
        const where = `${method.parent.name}.${method.name}`;
        expect(err.code, `${where}: ${err.message}`).toBe(Code.InvalidArgument);
        const info = err.findDetails(ErrorInfoSchema)[0];
        expect(info?.reason, where).toBe("VALIDATION_FAILED");
        expect(needed.some((name) => info.metadata.field === name || info.metadata.field.startsWith(`${name}.`)), `${where} names ${info.metadata.field}`).toBe(true);
        expect(err.rawMessage, where).toContain(info.metadata.field);
        const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field) ?? [];
        for (const name of needed) expect(violations.some((v) => v === name || v.startsWith(`${name}.`)), `${where} lists ${name}`).toBe(true);
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
    });
  }

  it("refuses every string field one character over its max_len, naming it", async () => {
    const transport = transportFor(server.url, "grpc", () => token);
    let checked = 0;
    for (const method of methods) {
      const client = createClient(method.parent, transport) as unknown as AnyClient;
      for (const c of oversizedCases(method.input)) {
        const where = `${method.parent.name}.${method.name} ${c.path}`;
        const err = await rejected(invoke(client, method, c.build()));
        expect(err.code, `${where}: ${err.message}`).toBe(Code.InvalidArgument);
        expect(err.findDetails(ErrorInfoSchema)[0]?.reason, where).toBe("VALIDATION_FAILED");
        expect(err.rawMessage, where).toContain(c.path);
        const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
        expect(violations.find((v) => v.field === c.path)?.reason, where).toBe("string.max_len");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("refuses a 5 MB request (over the 4 MiB cap) with ResourceExhausted on every protocol, never Internal", async () => {
    const path = "/polity.sys.auth.v1.AuthService/Register";
    const huge = "a".repeat(5 * MiB);
    // gRPC: the length prefix alone is enough to refuse it.
    const payload = Buffer.concat([Buffer.from([0x0a]), varint(huge.length), Buffer.from(huge)]);
    const grpc = await rawGrpc(server.url, path, envelope(payload), token);
    expect(grpc.status, grpc.message).toBe(Code.ResourceExhausted);
    const json = await rawConnect(server.url, path, "application/json", JSON.stringify({ email: huge, password: "x", displayName: "x" }), token);
    expect(json.code, json.message).toBe("resource_exhausted");
    expect(json.status).toBe(429); // the Connect protocol's HTTP mapping of ResourceExhausted
    const binary = await rawConnect(server.url, path, "application/proto", payload, token);
    expect(binary.code, binary.message).toBe("resource_exhausted");
    // Through the typed client too, so the SDK sees the same code. (gRPC-Web over HTTP/1.1 is left out: the
    // server answers before the upload ends and closes the connection, which node's client reports as a reset.)
    for (const protocol of ["grpc", "connect"] as Protocol[]) {
      const err = await rejected(createClient(AuthService, transportFor(server.url, protocol)).register({ email: huge, password: "x", displayName: "x" }));
      expect(err.code, `${protocol}: ${err.message}`).toBe(Code.ResourceExhausted);
    }
  });

  it("refuses undecodable protobuf bodies with InvalidArgument over gRPC on every method", async () => {
    for (const method of methods) {
      const path = `/${method.parent.typeName}/${method.name}`;
      expect(() => fromBinary(method.input, GARBAGE)).toThrow(); // the bytes really are undecodable
      const res = await rawGrpc(server.url, path, envelope(GARBAGE), token);
      expect(res.status, `${path}: ${res.message}`).toBe(Code.InvalidArgument);
    }
    // A truncated envelope is a protocol error of the same kind.
    const res = await rawGrpc(server.url, "/polity.sys.auth.v1.AuthService/Register", envelope(GARBAGE).subarray(0, 7), token);
    expect(res.status, res.message).toBe(Code.InvalidArgument);
  });

  it("refuses undecodable JSON bodies over Connect with InvalidArgument on every method", async () => {
    let streams = 0;
    for (const method of methods) {
      const path = `/${method.parent.typeName}/${method.name}`;
      const json = await rawConnectJson(server.url, method, "{not json", token);
      expect(json.code, `${path}: ${json.message}`).toBe("invalid_argument");
      // A unary error is an HTTP status; a stream's is its end message, with no data message before it.
      expect(json.status, path).toBe(json.stream ? 200 : 400);
      expect(json.data, path).toBe(0);
      if (json.stream) streams++;
    }
    expect(streams).toBeGreaterThanOrEqual(2);
  });

  it("refuses undecodable binary bodies over Connect with InvalidArgument (MALFORMED_MESSAGE) on every method", async () => {
    for (const method of methods.filter((m) => m.methodKind === "unary")) {
      const path = `/${method.parent.typeName}/${method.name}`;
      const binary = await rawConnect(server.url, path, "application/proto", GARBAGE, token);
      expect(binary.code, `${path}: ${binary.message}`).toBe("invalid_argument");
      expect(binary.status, path).toBe(400);
      expect(binary.message, path).toMatch(/^malformed request message: parse binary: /);
    }
  });

  // connect-es turns every fromBinary failure into Internal before any interceptor runs; the gRPC-Web fast path
  // (sys/core/grpc-web-fast-path.ts) answers InvalidArgument, as connect-go and our other fast paths do.
  it("refuses undecodable binary bodies over gRPC-Web with InvalidArgument (MALFORMED_MESSAGE) on every unary method", async () => {
    for (const method of methods.filter((m) => m.methodKind === "unary")) {
      const path = `/${method.parent.typeName}/${method.name}`;
      const web = await fetch(server.url + path, { method: "POST", headers: { "content-type": "application/grpc-web+proto", authorization: `Bearer ${token}` }, body: envelope(GARBAGE) as unknown as BodyInit });
      expect(web.status, path).toBe(200);
      const trailer = Buffer.from(await web.arrayBuffer()).toString("latin1");
      expect(trailer, path).toMatch(/grpc-status: 3\r\n/);
      expect(trailer, path).toMatch(/grpc-message: malformed%20request%20message%3A%20parse%20binary%3A%20/);
      expect(trailer, path).toMatch(/grpc-status-details-bin: /);
    }
  });

  it("refuses wrong-typed JSON fields on every method, naming the field", async () => {
    let checked = 0;
    for (const method of methods) {
      const path = `/${method.parent.typeName}/${method.name}`;
      for (const f of method.input.fields) {
        const body = JSON.stringify({ [f.jsonName]: wrongJson(f) });
        const res = await rawConnectJson(server.url, method, body, token);
        const where = `${path} ${f.name} = ${body}`;
        expect(res.code, `${where}: ${res.message}`).toBe("invalid_argument");
        expect(res.status, where).toBe(res.stream ? 200 : 400);
        expect(res.data, where).toBe(0);
        // protobuf-es names the field, except for enum and message fields, where it names their type.
        const named = [`${method.input.typeName}.${f.name}`];
        if (f.fieldKind === "enum") named.push(f.enum.typeName);
        if (f.fieldKind === "message") named.push(f.message.typeName);
        expect(named.some((n) => res.message.includes(n)), `${where}: ${res.message}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("reports validation failures over gRPC with google.rpc.Status details in the trailers", async () => {
    const path = "/polity.sys.auth.v1.AuthService/Register";
    const res = await rawGrpc(server.url, path, envelope(new Uint8Array()), token);
    expect(res.status).toBe(Code.InvalidArgument);
    const status = decodeStatus(base64Decode(res.details!));
    expect(status.code).toBe(Code.InvalidArgument);
    expect(status.details.map((d) => d.typeUrl)).toContain("type.googleapis.com/google.rpc.BadRequest");
  });

  it("wrote nothing: every sys and mod table has the row count it had before", async () => {
    expect(await counts()).toEqual(before);
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3 } */
function decodeStatus(bytes: Uint8Array): { code: number; message: string; details: Array<{ typeUrl: string }> } {
  const r = new BinaryReader(bytes);
  const out = { code: 0, message: "", details: [] as Array<{ typeUrl: string }> };
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) out.code = r.int32();
    else if (no === 2) out.message = r.string();
    else if (no === 3) {
      const any = new BinaryReader(r.bytes());
      const [anyNo] = any.tag();
      out.details.push({ typeUrl: anyNo === 1 ? any.string() : "" });
    } else r.skip(wire);
  }
  return out;
}
