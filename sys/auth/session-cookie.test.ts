// Cookie mode of AuthService: the web app's refresh token travels in an HttpOnly cookie, never in the body;
// without the x-polity-session header nothing changes for the SDK and the CLI.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService, LoginRequestSchema, RegisterRequestSchema } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { clientAddressKey } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import { createTestSys, direct, type DirectService, type TestSys } from "../shared/test-support.js";
import { createAuthService, localAuthLimits } from "./auth-service.js";
import { SESSION_COOKIE } from "./session-cookie.js";

function context(headers: Record<string, string> = {}): HandlerContext {
  return createHandlerContext({
    service: AuthService,
    method: AuthService.method.login,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://localhost/polity.sys.auth.v1.AuthService/Login",
    requestHeader: headers,
    contextValues: createContextValues().set(clientAddressKey, "198.51.100.7"),
  });
}
const cookieMode = (cookie?: string) => context({ "x-polity-session": "cookie", ...(cookie ? { cookie } : {}) });
const setCookies = (hc: HandlerContext) => hc.responseHeader.getSetCookie();
/** The value of our cookie in a Set-Cookie line, as a browser would send it back. */
function cookieOf(hc: HandlerContext): string {
  const line = setCookies(hc).find((l) => l.startsWith(`${SESSION_COOKIE}=`));
  if (!line) throw new Error("no session cookie was set");
  return line.split(";")[0]!;
}

async function failure(promise: Promise<unknown>): Promise<{ code: Code; reason: string | undefined }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return { code: error.code, reason: reasonOf(error) };
}

describe("AuthService cookie mode", () => {
  let t: TestSys;
  let auth: DirectService<typeof AuthService>;
  const password = "a long enough passphrase";
  const login = (email: string, hc: HandlerContext) => auth.login(create(LoginRequestSchema, { email, password, clientName: "web" }), hc);

  beforeAll(async () => {
    t = await createTestSys("pglite", { POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "1000" });
    await t.ctx.tokens.rotateIfDue();
    auth = direct(AuthService, createAuthService(t.ctx, localAuthLimits(t.ctx.config)));
    for (const email of ["cookie@example.org", "body@example.org"]) {
      await auth.register(create(RegisterRequestSchema, { email, password, displayName: "C" }), context());
    }
  });
  afterAll(async () => t.cleanup());

  it("Login sets an HttpOnly SameSite=Strict cookie on AuthService's path and keeps the token out of the body", async () => {
    const hc = cookieMode();
    const res = await login("cookie@example.org", hc);
    expect(res.tokens?.accessToken).toBeTruthy();
    expect(res.tokens?.refreshToken).toBe("");
    const line = setCookies(hc).find((l) => l.startsWith(`${SESSION_COOKIE}=`))!;
    expect(line).toMatch(/; Path=\/polity\.sys\.auth\.v1\.AuthService\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    // polityd is reached over http in this test: a Secure cookie would never come back.
    expect(line).not.toContain("Secure");
  });

  it("without the header, Login returns the refresh token in the body and sets no cookie", async () => {
    const hc = context({ cookie: `${SESSION_COOKIE}=whatever-long-enough-value` });
    const res = await login("body@example.org", hc);
    expect(res.tokens?.refreshToken).toBeTruthy();
    expect(setCookies(hc)).toEqual([]);
    // Nor is a cookie read without the header: an empty refresh_token is a plain error.
    expect(await failure(auth.refresh({ refreshToken: "" }, hc))).toEqual({ code: Code.Unauthenticated, reason: "MISSING_REFRESH_TOKEN" });
  });

  it("Refresh with an empty refresh_token reads the cookie and rotates it; the old cookie is then spent", async () => {
    const first = cookieMode();
    await login("cookie@example.org", first);
    const old = cookieOf(first);
    const hc = cookieMode(`other=1; ${old}`);
    const res = await auth.refresh({ refreshToken: "" }, hc);
    expect(res.tokens?.accessToken).toBeTruthy();
    expect(res.tokens?.refreshToken).toBe("");
    const rotated = cookieOf(hc);
    expect(rotated).not.toBe(old);
    // The rotated cookie works; presenting the spent one again trips reuse detection (and revokes the family).
    const reused = cookieMode(old);
    expect(await failure(auth.refresh({ refreshToken: "" }, reused))).toEqual({ code: Code.Unauthenticated, reason: "REFRESH_TOKEN_REUSED" });
    // A cookie that can never work again is cleared with the refusal.
    expect(setCookies(reused)).toEqual([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`))]);
    expect((await failure(auth.refresh({ refreshToken: "" }, cookieMode(rotated)))).reason).toBe("SESSION_REVOKED");
  });

  it("the header without a cookie is a clear error", async () => {
    expect(await failure(auth.refresh({ refreshToken: "" }, cookieMode()))).toEqual({ code: Code.Unauthenticated, reason: "NO_SESSION_COOKIE" });
    expect(await failure(auth.refresh({ refreshToken: "" }, cookieMode(`${SESSION_COOKIE}=`)))).toEqual({ code: Code.Unauthenticated, reason: "NO_SESSION_COOKIE" });
  });

  it("Logout revokes the cookie's session and clears the cookie; without a cookie it only clears", async () => {
    const signIn = cookieMode();
    await login("cookie@example.org", signIn);
    const cookie = cookieOf(signIn);
    const hc = cookieMode(cookie);
    await auth.logout({ refreshToken: "" }, hc);
    expect(setCookies(hc)).toEqual([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=; Path=/polity\\.sys\\.auth\\.v1\\.AuthService/; HttpOnly; SameSite=Strict; Max-Age=0$`))]);
    expect((await failure(auth.refresh({ refreshToken: "" }, cookieMode(cookie)))).reason).toBe("SESSION_REVOKED");
    const again = cookieMode();
    await auth.logout({ refreshToken: "" }, again);
    expect(setCookies(again)).toHaveLength(1);
  });

  it("the cookie is Secure when polityd's public URL is https", async () => {
    const tls = await createTestSys("pglite", { POLITY_PUBLIC_URL: "https://polity.example.org" });
    try {
      await tls.ctx.tokens.rotateIfDue();
      const secure = direct(AuthService, createAuthService(tls.ctx, localAuthLimits(tls.ctx.config)));
      const hc = cookieMode();
      await secure.register(create(RegisterRequestSchema, { email: "tls@example.org", password, displayName: "T" }), hc);
      expect(setCookies(hc)[0]).toMatch(/; Secure$/);
    } finally {
      await tls.cleanup();
    }
  });
});
