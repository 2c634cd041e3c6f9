// The web app's session cookie through a mod replica in split mode: mod forwards AuthService to sys, and the
// cookie must survive both ways (Set-Cookie from sys to the browser, Cookie from the browser to sys). Spoken as
// the browser speaks it: Connect JSON over fetch, with the x-polity-session header.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

describe("split mode: the session cookie through mod", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;

  const call = (method: string, body: object, cookie?: string) => fetch(`${mod.url}/polity.sys.auth.v1.AuthService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-polity-session": "cookie", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("polity_refresh="))?.split(";")[0];

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("cookie_sys"), createTestDatabase("cookie_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], {
      DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, POLITY_TRUSTED_PROXIES: "127.0.0.1",
    });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
  }, 120_000);

  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("sets the cookie on Login, rotates it on Refresh and clears it on Logout, all through mod", async () => {
    const login = await call("Login", { email: ADMIN.email, password: ADMIN.password });
    expect(login.status).toBe(200);
    const body = (await login.json()) as { tokens: { accessToken: string; refreshToken?: string } };
    expect(body.tokens.accessToken).toBeTruthy();
    expect(body.tokens.refreshToken ?? "").toBe("");
    const first = sessionCookie(login);
    expect(first).toMatch(/^polity_refresh=.{16,}/);

    const refresh = await call("Refresh", {}, first);
    expect(refresh.status).toBe(200);
    const rotated = sessionCookie(refresh);
    expect(rotated).toMatch(/^polity_refresh=.{16,}/);
    expect(rotated).not.toBe(first);

    const logout = await call("Logout", {}, rotated);
    expect(logout.status).toBe(200);
    expect(logout.headers.getSetCookie()).toEqual([expect.stringMatching(/^polity_refresh=; .*Max-Age=0/)]);
    const after = await call("Refresh", {}, rotated);
    expect(after.status).toBe(401);
    expect(JSON.stringify(await after.json())).toContain("SESSION_REVOKED");
    // The refusal drops the dead cookie too, so the browser stops presenting it.
    expect(after.headers.getSetCookie()).toEqual([expect.stringMatching(/^polity_refresh=; .*Max-Age=0/)]);
  });
});
