// A mod-only process in front of a sys-only one (both real hosts on PostgreSQL): sys calls through mod's URL on
// every protocol answer as sys itself does, errors included; deadlines reach sys; the JWKS is forwarded; sys
// sees each caller's own address through mod when it trusts mod, and only then.
import http2 from "node:http2";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { DiscoService } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { startPostgresServer, type TestServer } from "../../../test/support/server.js";
import { frame } from "../grpc-fast-path.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const ANONYMOUS_LIMIT = 50; // above what the other tests spend from 127.0.0.1

type Transport = ReturnType<typeof createGrpcTransport>;
const transports: Record<string, (baseUrl: string, localAddress?: string) => Transport> = {
  "gRPC (h2c)": (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC-Web (HTTP/1.1)": (baseUrl, localAddress) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { localAddress } }),
  "Connect (HTTP/1.1)": (baseUrl, localAddress) => createConnectTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { localAddress } }),
  "Connect (h2c)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }),
  "gRPC-Web (h2c)": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2" }),
};
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function failure(call: Promise<unknown>): Promise<{ code: Code; message: string; reason?: string }> {
  try {
    await call;
  } catch (error) {
    const ce = ConnectError.from(error);
    return { code: ce.code, message: ce.rawMessage, reason: ce.findDetails(ErrorInfoSchema)[0]?.reason };
  }
  throw new Error("the call succeeded");
}

/** One raw HTTP/2 request; resolves with the response headers, the body and the trailers. */
function h2Request(url: string, headers: http2.OutgoingHttpHeaders, body: Buffer) {
  return new Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request(headers);
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (head = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("end", () => {
      session.close();
      resolve({ headers: head, body: Buffer.concat(chunks), trailers });
    });
    stream.end(body);
  });
}

describe("sys calls through a mod-only process", () => {
  let sys: TestServer, mod: TestServer;

  beforeAll(async () => {
    sys = await startPostgresServer("fwd_sys", {
      POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_TRUSTED_PROXIES: "127.0.0.1", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_LIMIT), POLITY_CORS_ALLOWED_ORIGINS: "https://sys-only.example",
    });
    mod = await startPostgresServer("fwd_mod", { POLITY_TIERS: "mod", POLITY_SYS_URL: sys.url, POLITY_CORS_ALLOWED_ORIGINS: "https://app.example" });
  }, 60_000);
  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
  });

  for (const [name, transport] of Object.entries(transports)) {
    it(`signs in and answers WhoAmI over ${name}, as sys itself does`, async () => {
      const auth = createClient(AuthService, transport(mod.url));
      const login = await auth.login(ADMIN);
      const me = await auth.whoAmI({}, bearer(login.tokens!.accessToken));
      expect(me.email).toBe(ADMIN.email);
      // mod's own services still answer on the same URL.
      expect((await createClient(DiscoService, transport(mod.url)).listListings({})).listings).toEqual([]);
    });

    it(`relays sys's errors unchanged over ${name}`, async () => {
      const viaMod = createClient(AuthService, transport(mod.url));
      const direct = createClient(AuthService, transport(sys.url));
      const missing = await failure(viaMod.whoAmI({}));
      expect(missing).toMatchObject({ code: Code.Unauthenticated, reason: "MISSING_CREDENTIALS" });
      expect(missing).toEqual(await failure(direct.whoAmI({})));
      const invalid = await failure(viaMod.login({ email: "not an address", password: "x" }));
      expect(invalid.code).toBe(Code.InvalidArgument);
      expect(invalid).toEqual(await failure(direct.login({ email: "not an address", password: "x" })));
    });
  }

  it("passes the caller's Connect deadline on: sys answers DEADLINE_EXCEEDED (mod enforces none itself)", async () => {
    const res = await fetch(`${mod.url}/polity.sys.auth.v1.AuthService/Login`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1", "connect-timeout-ms": "1" },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: "deadline_exceeded" });
    // A header mod does not read at all reaches sys as it was: sys's own protocol error names it.
    const bad = await fetch(`${mod.url}/polity.sys.auth.v1.AuthService/WhoAmI`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1", "connect-timeout-ms": "soon" },
      body: "{}",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_argument", message: "protocol error: invalid connect timeout value: soon" });
  });

  it("passes the caller's gRPC deadline on", async () => {
    const body = frame(0, Buffer.from(JSON.stringify(ADMIN)));
    const res = await h2Request(mod.url, {
      ":method": "POST", ":path": "/polity.sys.auth.v1.AuthService/Login", "content-type": "application/grpc+json", te: "trailers", "grpc-timeout": "1m",
    }, body);
    const status = res.trailers["grpc-status"] ?? res.headers["grpc-status"];
    expect(status).toBe(String(Code.DeadlineExceeded));
  });

  it("answers gRPC-Web text (base64) through mod as sys does", async () => {
    const call = (url: string) => fetch(`${url}/polity.sys.auth.v1.AuthService/WhoAmI`, {
      method: "POST", headers: { "content-type": "application/grpc-web-text", "x-grpc-web": "1" }, body: frame(0, Buffer.alloc(0)).toString("base64"),
    }).then(async (res) => ({ status: res.status, type: res.headers.get("content-type"), body: Buffer.from(await res.text(), "base64").toString("latin1").replace(/x-request-id: \S+\r\n/, "") }));
    const [viaMod, direct] = await Promise.all([call(mod.url), call(sys.url)]);
    expect(viaMod.body).toMatch(/grpc-status: 16\r\n/);
    expect(viaMod).toEqual(direct);
  });

  it("answers CORS as mod's own configuration says, never as sys's", async () => {
    const call = (origin: string) => fetch(`${mod.url}/polity.sys.auth.v1.AuthService/WhoAmI`, {
      method: "POST", headers: { "content-type": "application/json", origin }, body: "{}",
    });
    const allowed = await call("https://app.example");
    expect(allowed.status).toBe(401);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("vary")).toMatch(/^Origin\b/);
    const other = await call("https://sys-only.example");
    expect(other.status).toBe(401);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("forwards the JWKS", async () => {
    const [viaMod, direct] = await Promise.all([fetch(`${mod.url}/.well-known/jwks.json`), fetch(`${sys.url}/.well-known/jwks.json`)]);
    expect(viaMod.status).toBe(200);
    const keys = (await viaMod.json()) as { keys: unknown[] };
    expect(keys.keys.length).toBeGreaterThan(0);
    expect(keys).toEqual(await direct.json());
  });

  it("lets sys meter each anonymous caller by its own address, believing x-forwarded-for only from trusted peers", async () => {
    const whoAmI = (baseUrl: string, localAddress: string, headers?: Record<string, string>) =>
      failure(createClient(AuthService, transports["Connect (HTTP/1.1)"](baseUrl, localAddress)).whoAmI({}, { headers }));
    // 127.0.0.2 spends its whole anonymous budget through mod...
    for (let i = 0; i < ANONYMOUS_LIMIT; i++) expect((await whoAmI(mod.url, "127.0.0.2")).code).toBe(Code.Unauthenticated);
    expect((await whoAmI(mod.url, "127.0.0.2")).code).toBe(Code.ResourceExhausted);
    // ...another caller through the same mod still has its own (without the header, both would be mod's 127.0.0.1).
    expect((await whoAmI(mod.url, "127.0.0.3")).code).toBe(Code.Unauthenticated);
    // A caller that is not a trusted proxy cannot claim another's address, nor escape its own limit by one.
    expect((await whoAmI(sys.url, "127.0.0.4", { "x-forwarded-for": "127.0.0.2" })).code).toBe(Code.Unauthenticated);
    expect((await whoAmI(mod.url, "127.0.0.2", { "x-forwarded-for": "127.0.0.9" })).code).toBe(Code.ResourceExhausted);
  });
});
