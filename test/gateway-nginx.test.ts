// The shipped nginx gateway (deploy/gateway/nginx.conf) in front of a sys-only and a mod-only host: its routes
// are the routing table's, and a real nginx (Debian's package; skipped where none is installed) routes gRPC,
// gRPC-Web and Connect calls of both tiers, streams a server-streaming call, and passes the client address on.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { DiscoService } from "../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { ROUTES } from "../sys/core/forwarding/routing-table.js";
import { repoRoot, startPostgresServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const ANONYMOUS_LIMIT = 20; // above what the protocol tests spend from 127.0.0.1
const shipped = readFileSync(join(repoRoot, "deploy", "gateway", "nginx.conf"), "utf8");
const hasNginx = (() => {
  try {
    execFileSync("nginx", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("the example gateway's routes", () => {
  it("send each prefix of the routing table to its tier", () => {
    const locations = [...shipped.matchAll(/location (\^~|=)? ?(\S+) \{([^}]*(?:\{[^}]*\}[^}]*)?)\}/g)].map((m) => ({
      exact: m[1] === "=", path: m[2], tier: /polity_sys/.test(m[3]) ? "sys" : "mod",
    }));
    for (const route of ROUTES) {
      const location = locations.find((l) => l.path === route.prefix && l.exact === Boolean(route.exact));
      expect(location, `a location for ${route.prefix}`).toBeDefined();
      expect(location!.tier).toBe(route.tier);
    }
    expect(locations).toHaveLength(ROUTES.length);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilListening(port: number, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(true));
      socket.on("error", () => resolve(false));
      socket.once("connect", () => socket.destroy());
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx is not listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasNginx)("nginx with the example config in front of sys and mod", () => {
  let sys: TestServer, mod: TestServer;
  let nginx: ChildProcess;
  let dir: string;
  let url: string;
  let ca: Buffer;
  const nginxLog: string[] = [];

  beforeAll(async () => {
    sys = await startPostgresServer("gateway_sys", {
      POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_TRUSTED_PROXIES: "127.0.0.1", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_LIMIT),
    });
    mod = await startPostgresServer("gateway_mod", { POLITY_TIERS: "mod", POLITY_SYS_URL: sys.url });
    dir = mkdtempSync(join(tmpdir(), "polity-nginx-"));
    mkdirSync(join(dir, "logs"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", join(dir, "gateway.key"), "-out", join(dir, "gateway.crt")], { stdio: "ignore" });
    ca = readFileSync(join(dir, "gateway.crt"));
    const port = await freePort();
    // The shipped file as it is, but for the addresses and paths a deployment fills in.
    const config = shipped
      .replaceAll("server sys.internal:8081;", `server 127.0.0.1:${sys.port};`)
      .replaceAll("server mod-a.internal:8080;", `server 127.0.0.1:${mod.port};`)
      .replaceAll(/\s*server mod-b\.internal:8080;/g, "")
      .replace("listen 443 ssl http2;", `listen 127.0.0.1:${port} ssl http2;`)
      .replaceAll("/etc/polity/tls/", `${dir}/`)
      .replace("worker_processes auto;", "worker_processes 1;");
    writeFileSync(join(dir, "nginx.conf"), config);
    nginx = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr warn;`], { stdio: ["ignore", "pipe", "pipe"] });
    nginx.stderr!.on("data", (c: Buffer) => nginxLog.push(c.toString()));
    url = `https://127.0.0.1:${port}`;
    await untilListening(port);
  }, 60_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once("exit", r));
      nginx.kill("SIGTERM");
      await exited;
    }
    await mod?.stop();
    await sys?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const transports = {
    "gRPC (h2)": () => createGrpcTransport({ baseUrl: url, nodeOptions: { ca } }),
    "gRPC-Web (HTTP/1.1)": (localAddress?: string) => createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: { ca, localAddress } }),
    "Connect (HTTP/1.1)": (localAddress?: string) => createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: { ca, localAddress } }),
    "Connect (h2)": () => createConnectTransport({ baseUrl: url, httpVersion: "2", nodeOptions: { ca } }),
  };

  for (const [name, transport] of Object.entries(transports)) {
    it(`routes sys and mod calls over ${name}`, async () => {
      const auth = createClient(AuthService, transport());
      const login = await auth.login(ADMIN);
      const me = await auth.whoAmI({}, { headers: { authorization: `Bearer ${login.tokens!.accessToken}` } });
      expect(me.email, nginxLog.join("")).toBe(ADMIN.email);
      expect((await createClient(DiscoService, transport()).listListings({})).listings).toEqual([]);
      const missing = await auth.whoAmI({}).catch((e: unknown) => ConnectError.from(e));
      expect((missing as ConnectError).code).toBe(Code.Unauthenticated);
    });
  }

  it("streams a server-streaming call through", async () => {
    const health = createClient(Health, transports["gRPC (h2)"]());
    const abort = new AbortController();
    for await (const update of health.watch({ service: "" }, { signal: abort.signal })) {
      expect(update.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      abort.abort();
      break;
    }
  });

  it("passes the client address on: sys meters each caller behind the gateway by its own address", async () => {
    const whoAmI = (localAddress: string) =>
      createClient(AuthService, transports["Connect (HTTP/1.1)"](localAddress)).whoAmI({}).then(() => "ok", (e: unknown) => ConnectError.from(e).code);
    for (let i = 0; i < ANONYMOUS_LIMIT; i++) expect(await whoAmI("127.0.0.2")).toBe(Code.Unauthenticated);
    expect(await whoAmI("127.0.0.2")).toBe(Code.ResourceExhausted);
    expect(await whoAmI("127.0.0.3")).toBe(Code.Unauthenticated);
  });

  it("keeps its configuration valid (nginx -t)", () => {
    const out = execFileSync("nginx", ["-t", "-p", dir, "-c", join(dir, "nginx.conf"), "-g", `pid ${join(dir, "nginx-t.pid")}; error_log stderr;`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toBe("");
  });
});
