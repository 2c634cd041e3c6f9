import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { createPolityClient } from "./index.js";
import { errorReason, codeName } from "./errors.js";
import { jwtExpiry, type Tokens } from "./tokens.js";
import { ACCOUNT_ID, API_KEY, EMAIL, PASSWORD, startFakeServer, type FakeServer } from "./test-support.js";

let server: FakeServer;
beforeAll(async () => void (server = await startFakeServer()));
afterAll(() => server.close());
beforeEach(() => {
  server.state.calls = {};
  server.state.unavailable = {};
  server.state.accessTtlMs = 3_600_000;
});

const calls = (name: string) => server.state.calls[name] ?? 0;
/** The error a call rejects with; fails the test if the call succeeds. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  return call.then(
    () => expect.unreachable("the call succeeded"),
    (e: unknown) => ConnectError.from(e),
  );
}

async function loggedIn(onTokens?: (t: Tokens) => void) {
  const client = createPolityClient({ baseUrl: server.url, protocol: "grpc", credentials: { onTokens } });
  await client.auth.login({ email: EMAIL, password: PASSWORD });
  return client;
}

describe("token handling", () => {
  it("adopts the tokens of Login, reports them, and sends the access token", async () => {
    const seen: Tokens[] = [];
    const client = await loggedIn((t) => void seen.push(t));
    expect(seen).toHaveLength(1);
    expect(seen[0].refreshToken).toMatch(/^refresh-/);
    expect(client.tokens().accessToken).toBe(seen[0].accessToken);
    const me = await client.auth.whoAmI({});
    expect(me.accountId).toBe(ACCOUNT_ID);
  });

  it("refreshes before the call when the access token is about to expire", async () => {
    server.state.accessTtlMs = 10_000; // inside the 30 s renewal margin
    const seen: Tokens[] = [];
    const client = await loggedIn((t) => void seen.push(t));
    const first = client.tokens();
    await client.auth.whoAmI({});
    expect(calls("Refresh")).toBe(1);
    expect(seen.at(-1)!.refreshToken).not.toBe(first.refreshToken);
    expect(client.tokens().accessToken).not.toBe(first.accessToken);
  });

  it("refreshes once on Unauthenticated and retries, single-flight across concurrent calls", async () => {
    const seen: Tokens[] = [];
    const client = await loggedIn((t) => void seen.push(t));
    server.state.access.clear(); // the server forgot every access token (e.g. key rotation)
    const results = await Promise.all(Array.from({ length: 5 }, () => client.auth.whoAmI({})));
    expect(results.every((r) => r.email === EMAIL)).toBe(true);
    expect(calls("Refresh")).toBe(1);
    expect(seen).toHaveLength(2); // login + one rotation
  });

  it("surfaces the refresh failure when the refresh token is no longer valid", async () => {
    const client = await loggedIn();
    server.state.access.clear();
    server.state.refresh.clear();
    const err = await failure(client.auth.whoAmI({}));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
    expect(errorReason(err)).toBe("INVALID_REFRESH_TOKEN");
    expect(calls("Refresh")).toBe(1);
  });

  it("does not refresh without a refresh token: the Unauthenticated error reaches the caller", async () => {
    const client = createPolityClient({ baseUrl: server.url, credentials: { accessToken: "stale" } });
    const err = await failure(client.auth.whoAmI({}));
    expect(errorReason(err)).toBe("INVALID_TOKEN");
    expect(codeName(ConnectError.from(err).code)).toBe("UNAUTHENTICATED");
    expect(calls("Refresh")).toBe(0);
  });

  it("exchanges an API key once and caches the access token while it is fresh", async () => {
    const client = createPolityClient({ baseUrl: server.url, credentials: { apiKey: API_KEY } });
    await Promise.all([client.auth.whoAmI({}), client.auth.whoAmI({})]);
    await client.auth.whoAmI({});
    expect(calls("ExchangeApiKey")).toBe(1);
    expect(calls("WhoAmI")).toBe(3);
  });

  it("exchanges the API key again when the cached token is about to expire", async () => {
    server.state.accessTtlMs = 5_000;
    const client = createPolityClient({ baseUrl: server.url, credentials: { apiKey: API_KEY } });
    await client.auth.whoAmI({});
    await client.auth.whoAmI({});
    expect(calls("ExchangeApiKey")).toBe(2);
  });

  it("re-exchanges the API key when the server rejects the cached token", async () => {
    const client = createPolityClient({ baseUrl: server.url, credentials: { apiKey: API_KEY } });
    await client.auth.whoAmI({});
    server.state.access.clear();
    await client.auth.whoAmI({});
    expect(calls("ExchangeApiKey")).toBe(2);
  });
});

describe("retries", () => {
  it("retries an idempotent read on Unavailable", async () => {
    const client = await loggedIn();
    server.state.unavailable.GetAccount = 2;
    const res = await client.accounts.getAccount({ accountId: ACCOUNT_ID });
    expect(res.account?.email).toBe(EMAIL);
    expect(calls("GetAccount")).toBe(3);
  });

  it("gives up after maxAttempts", async () => {
    const client = createPolityClient({ baseUrl: server.url, credentials: { apiKey: API_KEY }, retry: { maxAttempts: 2, initialBackoffMs: 1 } });
    server.state.unavailable.GetAccount = 5;
    const err = await failure(client.accounts.getAccount({ accountId: ACCOUNT_ID }));
    expect(err.code).toBe(Code.Unavailable);
    expect(calls("GetAccount")).toBe(2);
  });

  it("never retries a write", async () => {
    const client = await loggedIn();
    server.state.unavailable.CreateOrg = 1;
    const err = await failure(client.orgs.createOrg({ slug: "acme", displayName: "Acme" }));
    expect(err.code).toBe(Code.Unavailable);
    expect(calls("CreateOrg")).toBe(1);
  });

  it("stops retrying at the call's deadline", async () => {
    const client = createPolityClient({
      baseUrl: server.url,
      credentials: { apiKey: API_KEY },
      timeoutMs: 300,
      retry: { maxAttempts: 50, initialBackoffMs: 400, maxBackoffMs: 400 },
    });
    server.state.unavailable.GetAccount = 100;
    const started = Date.now();
    const err = await failure(client.accounts.getAccount({ accountId: ACCOUNT_ID }));
    expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(err.code);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("protocols", () => {
  it.each(["connect", "grpc-web"] as const)("speaks %s over HTTP/1.1", async (protocol) => {
    const client = createPolityClient({ baseUrl: server.url1, protocol, credentials: { apiKey: API_KEY } });
    expect((await client.auth.whoAmI({})).email).toBe(EMAIL);
    expect((await client.health.check({})).status).toBe(1);
  });
});

describe("jwtExpiry", () => {
  it("reads the exp claim without verifying", () => {
    const payload = Buffer.from(JSON.stringify({ sub: "x", exp: 2_000_000_000 })).toString("base64url");
    expect(jwtExpiry(`eyJhbGciOiJFZERTQSJ9.${payload}.sig`)?.getTime()).toBe(2_000_000_000_000);
    expect(jwtExpiry("opaque")).toBeUndefined();
  });
});
