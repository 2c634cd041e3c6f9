// Wire compatibility with clients that know nothing of connect-es: a stock @grpc/grpc-js client built at run
// time from proto/ by @grpc/proto-loader, and `buf curl` over gRPC, gRPC-Web and Connect, with and without a
// local schema (server reflection).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { base64Decode, BinaryReader } from "@bufbuild/protobuf/wire";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../clients/src/gen/google/rpc/error_details_pb.js";
import { repoRoot, startInProcessServer, type TestServer } from "./support/server.js";

const run = promisify(execFile);
const buf = join(repoRoot, "node_modules", ".bin", "buf");

// What proto-loader hands back with its default options (camelCase fields, plain objects).
interface TokenPair { accessToken: string; refreshToken: string }
type Callback<T> = (err: grpc.ServiceError | null, res: T) => void;
interface AuthStub extends grpc.Client {
  register(req: object, cb: Callback<{ accountId: string; tokens: TokenPair }>): void;
  login(req: object, cb: Callback<{ tokens: TokenPair }>): void;
  whoAmI(req: object, metadata: grpc.Metadata, cb: Callback<{ accountId: string; email: string; displayName: string; kind: string; emailVerified: boolean }>): void;
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

async function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("expected the call to fail");
}

/** google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3 } */
function decodeStatus(bytes: Uint8Array) {
  const r = new BinaryReader(bytes);
  const out = { code: 0, message: "", details: [] as Array<{ typeUrl: string; value: Uint8Array }> };
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) out.code = r.int32();
    else if (no === 2) out.message = r.string();
    else if (no === 3) {
      const any = new BinaryReader(r.bytes());
      const detail: { typeUrl: string; value: Uint8Array } = { typeUrl: "", value: new Uint8Array() };
      while (any.pos < any.len) {
        const [n, w] = any.tag();
        if (n === 1) detail.typeUrl = any.string();
        else if (n === 2) detail.value = any.bytes();
        else any.skip(w);
      }
      out.details.push(detail);
    } else r.skip(wire);
  }
  return out;
}

describe("wire compatibility", () => {
  let server: TestServer;
  let target: string;
  let stub: AuthStub;

  beforeAll(async () => {
    server = await startInProcessServer();
    target = new URL(server.url).host;
    const definition = protoLoader.loadSync("polity/sys/auth/v1/auth.proto", {
      includeDirs: [join(repoRoot, "proto"), join(repoRoot, "proto-vendor")],
      defaults: true,
    });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      polity: { sys: { auth: { v1: { AuthService: new (target: string, creds: grpc.ChannelCredentials) => AuthStub } } } };
    };
    stub = new pkg.polity.sys.auth.v1.AuthService(target, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    stub?.close();
    await server?.stop();
  });

  describe("a stock @grpc/grpc-js client generated from proto/", () => {
    it("registers, logs in and asks who it is with the token in metadata", async () => {
      const email = "grace@example.org";
      const registered = await call<{ accountId: string; tokens: TokenPair }>((cb) => stub.register({ email, password: "compiler pioneer", displayName: "Grace" }, cb));
      expect(registered.accountId).toMatch(/^[0-9a-f-]{36}$/);
      expect(registered.tokens.accessToken.split(".")).toHaveLength(3);
      const login = await call<{ tokens: TokenPair }>((cb) => stub.login({ email, password: "compiler pioneer" }, cb));
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${login.tokens.accessToken}`);
      const me = await call<{ accountId: string; email: string; displayName: string; kind: string }>((cb) => stub.whoAmI({}, metadata, cb));
      expect(me).toMatchObject({ accountId: registered.accountId, email, displayName: "Grace", kind: "person" });
    });

    it("gets UNAUTHENTICATED without a token and with a wrong password", async () => {
      const anonymous = await failure(call((cb) => stub.whoAmI({}, new grpc.Metadata(), cb)));
      expect(anonymous.code).toBe(grpc.status.UNAUTHENTICATED);
      const wrong = await failure(call((cb) => stub.login({ email: "grace@example.org", password: "not the password" }, cb)));
      expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it("sees a validation error as INVALID_ARGUMENT with google.rpc.Status details it can decode", async () => {
      const err = await failure(call((cb) => stub.register({ email: "not an email", password: "short", displayName: "" }, cb)));
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details).toContain("email");
      const [raw] = err.metadata.get("grpc-status-details-bin") as Buffer[];
      expect(raw).toBeInstanceOf(Buffer);
      const status = decodeStatus(raw);
      expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status.message).toBe(err.details);
      const info = status.details.find((d) => d.typeUrl === "type.googleapis.com/google.rpc.ErrorInfo");
      expect(fromBinary(ErrorInfoSchema, info!.value).reason).toBe("VALIDATION_FAILED");
      const bad = status.details.find((d) => d.typeUrl === "type.googleapis.com/google.rpc.BadRequest");
      const fields = fromBinary(BadRequestSchema, bad!.value).fieldViolations.map((v) => v.field);
      expect(fields).toEqual(expect.arrayContaining(["email", "password", "display_name"]));
    });
  });

  describe("buf curl", () => {
    const curl = async (...args: string[]) => {
      const { stdout } = await run(buf, ["curl", ...args], { cwd: repoRoot, timeout: 30000 });
      return stdout;
    };

    it("checks health over gRPC with HTTP/2 prior knowledge, no local schema", async () => {
      const out = await curl("--protocol", "grpc", "--http2-prior-knowledge", `${server.url}/grpc.health.v1.Health/Check`);
      expect(JSON.parse(out)).toEqual({ status: "SERVING" });
    });

    it("lists services and methods through server reflection", async () => {
      const services = (await curl("--protocol", "grpc", "--http2-prior-knowledge", "--list-services", server.url)).split("\n");
      expect(services).toEqual(expect.arrayContaining(["grpc.health.v1.Health", "polity.sys.auth.v1.AuthService", "polity.sys.account.v1.OrgProjectService", "polity.sys.authz.v1.AuthzService"]));
      const methods = (await curl("--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", server.url)).split("\n");
      expect(methods).toEqual(expect.arrayContaining(["polity.sys.auth.v1.AuthService/Register", "polity.sys.auth.v1.AuthService/Login", "grpc.health.v1.Health/Check"]));
    });

    for (const protocol of ["grpc", "grpcweb", "connect"]) {
      it(`registers with -d JSON over ${protocol}, the schema coming from reflection`, async () => {
        const email = `linus-${protocol}@example.org`;
        const data = JSON.stringify({ email, password: "kernel hacker 1991", displayName: "Linus" });
        const out = await curl("--protocol", protocol, "--http2-prior-knowledge", "-d", data, `${server.url}/polity.sys.auth.v1.AuthService/Register`);
        const res = JSON.parse(out) as { accountId: string; tokens: { accessToken: string } };
        expect(res.accountId).toMatch(/^[0-9a-f-]{36}$/);
        const me = JSON.parse(
          await curl("--protocol", protocol, "--http2-prior-knowledge", "-H", `Authorization: Bearer ${res.tokens.accessToken}`, `${server.url}/polity.sys.auth.v1.AuthService/WhoAmI`),
        ) as { email: string };
        expect(me.email).toBe(email);
      });
    }

    it("reports a validation error with its code and exit status", async () => {
      const err = (await run(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", "{}", `${server.url}/polity.sys.auth.v1.AuthService/Register`], { cwd: repoRoot }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      ))!;
      expect(err).toBeDefined();
      expect(err.code).not.toBe(0);
      const body = JSON.parse(err.stderr) as { code: string; message: string; details: Array<{ type: string; value: string }> };
      expect(body.code).toBe("invalid_argument");
      expect(body.message).toContain("email");
      // Reflection serves the services' files only, so buf curl shows details it cannot resolve as base64.
      const info = body.details.find((d) => d.type === "google.rpc.ErrorInfo")!;
      expect(fromBinary(ErrorInfoSchema, base64Decode(info.value)).reason).toBe("VALIDATION_FAILED");
    });
  });
});
