// A small in-test stand-in for polityd's AuthService (and a few reads), with rotating refresh tokens and
// reuse detection, served by connect-node over h2c (gRPC) and HTTP/1.1 (Connect, gRPC-Web) on port 0.
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService, TokenPairSchema } from "./gen/polity/sys/auth/v1/auth_pb.js";
import { AccountService, AccountKind } from "./gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "./gen/polity/sys/account/v1/org_project_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "./gen/grpc/health/v1/health_pb.js";
import { ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";

export const EMAIL = "ada@example.org";
export const PASSWORD = "correct horse battery";
export const API_KEY = "pk_test_0123456789abcdef";
export const ACCOUNT_ID = "6f1c1a3e-9a7e-4d52-8a8e-2f0b7f7f0001";

function fail(code: Code, reason: string, message: string): ConnectError {
  return new ConnectError(message, code, undefined, [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: "polity.dev" }) }]);
}

export function createFakeState() {
  const state = {
    accessTtlMs: 3_600_000,
    access: new Map<string, number>(), // token → expiry (ms)
    refresh: new Set<string>(),
    spentRefresh: new Set<string>(),
    calls: {} as Record<string, number>,
    /** Method name → how many more calls fail with Unavailable. */
    unavailable: {} as Record<string, number>,
    seq: 0,
    issue() {
      const n = ++state.seq;
      const access = `access-${n}`;
      const refresh = `refresh-${n}-0123456789abcdef`;
      const expires = Date.now() + state.accessTtlMs;
      state.access.set(access, expires);
      state.refresh.add(refresh);
      return create(TokenPairSchema, {
        accessToken: access,
        accessTokenExpiresAt: timestampFromMs(expires),
        refreshToken: refresh,
        refreshTokenExpiresAt: timestampFromMs(Date.now() + 86_400_000),
        accountId: ACCOUNT_ID,
      });
    },
  };
  return state;
}

export type FakeState = ReturnType<typeof createFakeState>;

function routes(state: FakeState) {
  const count = (name: string) => {
    state.calls[name] = (state.calls[name] ?? 0) + 1;
    if ((state.unavailable[name] ?? 0) > 0) {
      state.unavailable[name]--;
      throw new ConnectError("try again", Code.Unavailable);
    }
  };
  const authed = (ctx: HandlerContext) => {
    const token = ctx.requestHeader.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const exp = state.access.get(token);
    if (exp === undefined) throw fail(Code.Unauthenticated, "INVALID_TOKEN", "invalid access token");
    if (exp < Date.now()) throw fail(Code.Unauthenticated, "TOKEN_EXPIRED", "access token expired");
  };
  return (router: ConnectRouter) => {
    router.service(AuthService, {
      login(req) {
        count("Login");
        if (req.email !== EMAIL || req.password !== PASSWORD) throw fail(Code.Unauthenticated, "INVALID_CREDENTIALS", "wrong email or password");
        return { tokens: state.issue() };
      },
      refresh(req) {
        count("Refresh");
        if (state.spentRefresh.has(req.refreshToken)) throw fail(Code.Unauthenticated, "REFRESH_TOKEN_REUSED", "refresh token reused");
        if (!state.refresh.delete(req.refreshToken)) throw fail(Code.Unauthenticated, "INVALID_REFRESH_TOKEN", "unknown refresh token");
        state.spentRefresh.add(req.refreshToken);
        return { tokens: state.issue() };
      },
      exchangeApiKey(req) {
        count("ExchangeApiKey");
        if (req.apiKey !== API_KEY) throw fail(Code.Unauthenticated, "INVALID_API_KEY", "unknown API key");
        return { tokens: { ...state.issue(), refreshToken: "" } };
      },
      logout(req) {
        count("Logout");
        state.refresh.delete(req.refreshToken);
        return {};
      },
      whoAmI(_req, ctx) {
        count("WhoAmI");
        authed(ctx);
        return { accountId: ACCOUNT_ID, email: EMAIL, displayName: "Ada", kind: "person", emailVerified: true, roles: [{ role: "superadmin", resource: "platform" }] };
      },
    });
    router.service(AccountService, {
      getAccount(req, ctx) {
        count("GetAccount");
        authed(ctx);
        return { account: { id: req.accountId, kind: AccountKind.PERSON, email: EMAIL, displayName: "Ada" } };
      },
    });
    router.service(OrgProjectService, {
      listOrgs(_req, ctx) {
        count("ListOrgs");
        authed(ctx);
        return {
          orgs: [
            { id: "0b5c1a3e-9a7e-4d52-8a8e-2f0b7f7f0002", slug: "acme", displayName: "Acme Co-op", createdAt: timestampFromMs(Date.UTC(2026, 0, 2)) },
            { id: "0b5c1a3e-9a7e-4d52-8a8e-2f0b7f7f0003", slug: "civic", displayName: "Civic Lab" },
          ],
          nextPageToken: "page-2",
        };
      },
      createOrg(req, ctx) {
        count("CreateOrg");
        authed(ctx);
        return { org: { id: "0b5c1a3e-9a7e-4d52-8a8e-2f0b7f7f0009", slug: req.slug, displayName: req.displayName } };
      },
    });
    router.service(Health, {
      check() {
        count("Check");
        return { status: HealthCheckResponse_ServingStatus.SERVING };
      },
    });
  };
}

export interface FakeServer {
  state: FakeState;
  /** h2c: gRPC (and Connect over HTTP/2). */
  url: string;
  /** HTTP/1.1: Connect and gRPC-Web. */
  url1: string;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const state = createFakeState();
  const handler = connectNodeAdapter({ routes: routes(state) });
  const h2 = http2.createServer(handler);
  const h1 = http.createServer(handler);
  // Clients keep their HTTP/2 session open; close() must not wait for them.
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  await Promise.all([new Promise<void>((r) => h2.listen(0, "127.0.0.1", r)), new Promise<void>((r) => h1.listen(0, "127.0.0.1", r))]);
  const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  return {
    state,
    url: `http://127.0.0.1:${port(h2)}`,
    url1: `http://127.0.0.1:${port(h1)}`,
    async close() {
      h1.closeAllConnections();
      for (const s of sessions) s.destroy();
      await Promise.all([new Promise((r) => h2.close(r)), new Promise((r) => h1.close(r))]);
    },
  };
}
