// The shipped nginx gateway (deploy/gateway/nginx.conf) in front of a sys-only and a mod-only host: its routes
// are the routing table's (plus the modules it sends to Deployments of their own), and a real nginx (Debian's
// package; skipped where none is installed) routes gRPC, gRPC-Web and Connect calls of both tiers, streams a
// server-streaming call, and passes the client address on. test/ops/modules-split.test.ts runs it in front of
// one process per module.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { DiscoService } from "../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { MOD_MODULE_IDS, MOD_MODULE_PATHS } from "../sys/cmd/modules.js";
import { ROUTES } from "../sys/core/forwarding/routing-table.js";
import { hasNginx, type RunningNginx, shippedGatewayConfig as shipped, startGateway } from "./support/nginx.js";
import { startPostgresServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const ANONYMOUS_LIMIT = 20; // above what the protocol tests spend from 127.0.0.1

describe("the example gateway's routes", () => {
  it("send each prefix of the routing table to its tier", () => {
    const locations = [...shipped.matchAll(/location (\^~|=)? ?(\S+) \{([^{}]*(?:\{[^}]*\}[^{}]*)?)\}/g)].map((m) => ({
      exact: m[1] === "=", path: m[2]!, body: m[3]!, tier: /polity_sys/.test(m[3]!) ? "sys" : "mod",
    }));
    // A module with a Deployment of its own: its package goes to its own upstreams, gRPC and HTTP.
    const modules = locations.filter((l) => MOD_MODULE_IDS.some((id) => l.path === MOD_MODULE_PATHS[id][0]));
    expect(modules.map((l) => l.path)).toEqual(["/polity.mod.voting.", "/polity.mod.disco."]);
    for (const location of modules) {
      const id = location.path.split(".")[2];
      expect(location.body).toContain(`grpc_pass grpc://polity_${id}_grpc;`);
      expect(location.body).toContain(`proxy_pass http://polity_${id}_http;`);
    }
    const tiers = locations.filter((l) => !modules.includes(l));
    for (const route of ROUTES) {
      const location = tiers.find((l) => l.path === route.prefix && l.exact === Boolean(route.exact));
      expect(location, `a location for ${route.prefix}`).toBeDefined();
      expect(location!.tier).toBe(route.tier);
    }
    expect(tiers).toHaveLength(ROUTES.length);
  });
});

describe.skipIf(!hasNginx)("nginx with the example config in front of sys and mod", () => {
  let sys: TestServer, mod: TestServer;
  let gateway: RunningNginx;
  let url: string;
  let ca: Buffer;
  let nginxLog: string[] = [];

  beforeAll(async () => {
    sys = await startPostgresServer("gateway_sys", {
      POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_TRUSTED_PROXIES: "127.0.0.1", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_LIMIT),
    });
    mod = await startPostgresServer("gateway_mod", { POLITY_TIERS: "mod", POLITY_SYS_URL: sys.url });
    // One mod process stands for the general pool and for the voting and disco Deployments.
    gateway = await startGateway({
      "sys.internal:8081": [sys.port], "mod-a.internal:8080": [mod.port], "mod-b.internal:8080": [],
      "mod-voting.internal:8080": [mod.port], "mod-disco.internal:8080": [mod.port],
    });
    ({ url, ca, log: nginxLog } = gateway);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await mod?.stop();
    await sys?.stop();
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
    const { dir } = gateway;
    const out = execFileSync("nginx", ["-t", "-p", dir, "-c", join(dir, "nginx.conf"), "-g", `pid ${join(dir, "nginx-t.pid")}; error_log stderr;`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toBe("");
  });
});
