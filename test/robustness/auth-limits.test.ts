// Sign-in, sign-up and token revocation under attack, on a real server and PostgreSQL: concurrent password
// guessing on one HTTP/2 connection, a registration flood, a garbage-bearer flood, a squatted bootstrap email,
// access tokens that must die with their session on sys at once and on a separate mod within its cache TTL, and
// the mod tier's authorization questions: metered per address, without throttling a split mod's readers.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { connect as netConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { DiscoService } from "../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "../support/clients.js";
import { createOpenCommunity } from "../support/communities.js";
import { reasonOf, rejection } from "../support/failures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, startPostgresServer, startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const PASSWORD = "owners own passphrase";

/** gRPC over one HTTP/2 connection that leaves from `localAddress` (any 127.x address reaches the loopback server). */
function clientFrom<S extends Parameters<typeof createClient>[0]>(service: S, url: string, localAddress: string, token?: string) {
  const { hostname, port } = new URL(url);
  const transport = createGrpcTransport({
    baseUrl: url,
    nodeOptions: { createConnection: () => netConnect({ host: hostname, port: Number(port), localAddress }) },
    interceptors: token ? [(next) => (req) => (req.header.set("authorization", `Bearer ${token}`), next(req))] : [],
  });
  return createClient(service, transport);
}

const outcome = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => ConnectError.from(e));

describe("auth limits on one process (PostgreSQL)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startPostgresServer("auth_limits", {
      POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      // The production defaults, spelled out: the test helpers raise the registration limit for other suites.
      POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "10",
      POLITY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: "5",
      POLITY_LOGIN_FAILURES_PER_ADDRESS: "20",
      POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "300",
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("checks at most the budget of 100 concurrent wrong passwords on one HTTP/2 connection; the owner still signs in elsewhere", async () => {
    await clientFrom(AuthService, server.url, "127.0.0.1").register({ email: "owner@example.org", password: PASSWORD, displayName: "Owner" });
    const attacker = clientFrom(AuthService, server.url, "127.0.0.7");
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => outcome(attacker.login({ email: "owner@example.org", password: `wrong guess ${i}` }))));
    const errors = results.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(errors).toHaveLength(100);
    const checked = errors.filter((e) => reasonOf(e) === "INVALID_CREDENTIALS");
    const throttled = errors.filter((e) => reasonOf(e) === "LOGIN_THROTTLED");
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.length + throttled.length).toBe(100);
    expect(throttled[0]!.code).toBe(Code.ResourceExhausted);
    expect(Number(throttled[0]!.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(0);
    // The right password from the attacker's address is throttled too; from the owner's own address it works.
    expect(reasonOf(await rejection(attacker.login({ email: "owner@example.org", password: PASSWORD })))).toBe("LOGIN_THROTTLED");
    expect((await clientFrom(AuthService, server.url, "127.0.0.8").login({ email: "owner@example.org", password: PASSWORD })).tokens?.accessToken).toBeTruthy();
  });

  it("cuts a registration flood from one address at its hourly budget", async () => {
    const flooder = clientFrom(AuthService, server.url, "127.0.0.9");
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome(flooder.register({ email: `bot${i}@example.org`, password: "a bot's passphrase", displayName: `bot${i}` }))),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(10);
    const cut = results.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(cut.map((e) => [e.code, reasonOf(e)])).toEqual(cut.map(() => [Code.ResourceExhausted, "REGISTRATION_THROTTLED"]));
    expect((await clientFrom(AuthService, server.url, "127.0.0.10").register({ email: "human@example.org", password: "a human passphrase", displayName: "Human" })).accountId).toBeTruthy();
  });

  it("rate limits a flood of calls with garbage bearer tokens by address", async () => {
    const garbage = clientFrom(AuthService, server.url, "127.0.0.11", "not.a.token");
    const results: Array<string | ConnectError> = [];
    // One connection, 80 streams at a time (under the server's concurrent-stream limit).
    for (let i = 0; i < 4; i++) results.push(...(await Promise.all(Array.from({ length: 80 }, () => outcome(garbage.whoAmI({}))))));
    const reasons = results.map((r) => (r instanceof ConnectError ? reasonOf(r) : r));
    expect(reasons.filter((r) => r === "INVALID_TOKEN")).toHaveLength(300);
    expect(reasons.filter((r) => r === "RATE_LIMITED")).toHaveLength(20);
  });

  it("refuses an access token as soon as its session is signed out, on sys and on the mod tier", async () => {
    const auth = clientFor(AuthService, server.url);
    const [a, b] = [(await auth.login(ADMIN)).tokens!, (await auth.login(ADMIN)).tokens!];
    const orgId = (await clientFor(OrgProjectService, server.url, a.accessToken).createOrg({ slug: "revocation", displayName: "Revocation" })).org!.id;
    await clientFor(DiscoService, server.url, a.accessToken).createListing({ orgId, title: "Before", summary: "signed in" });
    await auth.logout({ refreshToken: a.refreshToken });
    for (const refused of [
      await rejection(clientFor(AuthService, server.url, a.accessToken).whoAmI({})),
      await rejection(clientFor(DiscoService, server.url, a.accessToken).createListing({ orgId, title: "After", summary: "signed out" })),
    ]) {
      expect([refused.code, reasonOf(refused)]).toEqual([Code.Unauthenticated, "SESSION_REVOKED"]);
    }
    // The other session of the same account is untouched.
    expect((await clientFor(AuthService, server.url, b.accessToken).whoAmI({})).email).toBe(ADMIN.email);
  });
});

describe("a squatted bootstrap email", () => {
  let database: TestDatabase;
  let first: TestServer | undefined;
  afterAll(async () => {
    await first?.stop();
    await database?.drop();
  });

  it("stops polityd with what to do instead of making the squatter superadmin", async () => {
    database = await createTestDatabase("auth_squat");
    first = await startInProcessServer({ DATABASE_URL: database.url });
    await clientFor(AuthService, first.url).register({ email: ADMIN.email, password: "the squatter's own", displayName: "Squatter" });
    await first.stop();
    first = undefined;
    const failed = await startProcessServer([], { DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }).then(
      (s) => s.stop().then(() => "started"),
      (error: unknown) => String(error),
    );
    expect(failed).toMatch(/polityd exited with 1/);
    expect(failed).toContain("POLITY_BOOTSTRAP_ADMIN_PASSWORD does not open");
    expect(failed).toContain("setup token");
  });
});

describe("revocation across two processes (sys + mod)", () => {
  const TTL_MS = 1000;
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("revoke_sys"), createTestDatabase("revoke_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url, POLITY_AUTHZ_CACHE_TTL_MS: String(TTL_MS) });
  });
  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("refuses a signed-out token on mod within the decision cache TTL, though another session keeps the account's decisions warm", async () => {
    const auth = clientFor(AuthService, sys.url);
    const [a, b] = [(await auth.login(ADMIN)).tokens!, (await auth.login(ADMIN)).tokens!];
    const orgId = (await clientFor(OrgProjectService, sys.url, a.accessToken).createOrg({ slug: "split-revocation", displayName: "Split" })).org!.id;
    const listing = (token: string) => clientFor(DiscoService, mod.url, token).createListing({ orgId, title: "Probe", summary: "probe" });
    await listing(a.accessToken);
    await auth.logout({ refreshToken: a.refreshToken });
    const loggedOutAt = Date.now();
    expect([(await rejection(clientFor(AuthService, sys.url, a.accessToken).whoAmI({}))).code]).toEqual([Code.Unauthenticated]);
    let refused: ConnectError | undefined;
    while (!refused && Date.now() - loggedOutAt < TTL_MS + 3000) {
      await listing(b.accessToken);
      const result = await outcome(listing(a.accessToken));
      if (result instanceof ConnectError) refused = result;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused && [refused.code, reasonOf(refused)]).toEqual([Code.Unauthenticated, "SESSION_REVOKED"]);
    expect(Date.now() - loggedOutAt).toBeLessThanOrEqual(TTL_MS + 1000);
  });
});

describe("the mod tier's authorization questions (sys + split mod)", () => {
  // Far below the default, so that a mod asking once per anonymous read would run out during this test.
  const TIER_CHECKS = 200;
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let communityId = "";

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("tier_checks_sys"), createTestDatabase("tier_checks_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], {
      DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_TIER_CHECK_RATE_LIMIT_PER_MINUTE: String(TIER_CHECKS),
    });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
    const admin = (await clientFor(AuthService, sys.url).login(ADMIN)).tokens!.accessToken;
    ({ communityId } = await createOpenCommunity(sys.url, admin, { orgSlug: "tier-checks", slug: "open-readers", name: "Open readers" }));
  }, 120_000);
  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("serves 400 anonymous reads from 20 addresses through a split mod without sys throttling it", async () => {
    const readers = Array.from({ length: 20 }, (_, i) => clientFrom(VotingService, mod.url, `127.0.1.${i + 1}`));
    const results = await Promise.all(readers.flatMap((reader) => Array.from({ length: 20 }, () => outcome(reader.listPolls({ communityId })))));
    expect(results.filter((r) => r !== "ok").map((e) => (e instanceof ConnectError ? reasonOf(e) : e))).toEqual([]);
  });

  it("cuts a stranger's anonymous Check flood on sys at the address's budget, counting each question of a CheckBatch", async () => {
    const question = { principalId: "", permission: "voting.poll.read", resource: `community/${communityId}` };
    const stranger = clientFrom(AuthzService, sys.url, "127.0.2.1");
    const results: Array<string | ConnectError> = [];
    for (let i = 0; i < 3; i++) results.push(...(await Promise.all(Array.from({ length: 80 }, () => outcome(stranger.check({ question }))))));
    expect(results.filter((r) => r === "ok")).toHaveLength(TIER_CHECKS);
    const cut = results.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(cut.map((e) => [e.code, reasonOf(e)])).toEqual(cut.map(() => [Code.ResourceExhausted, "RATE_LIMITED"]));
    expect(Number(cut[0]!.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(0);
    // Another address: one batch of 150 questions fits, the next does not.
    const batcher = clientFrom(AuthzService, sys.url, "127.0.2.2");
    const questions = Array.from({ length: 150 }, () => question);
    expect((await batcher.checkBatch({ questions })).decisions).toHaveLength(150);
    expect(reasonOf(await rejection(batcher.checkBatch({ questions })))).toBe("RATE_LIMITED");
    // The mod, asking from its own address, still answers its readers.
    expect(await outcome(clientFrom(VotingService, mod.url, "127.0.1.99").listPolls({ communityId }))).toBe("ok");
  });
});

describe("revocation across sys replicas (PostgreSQL LISTEN/NOTIFY)", () => {
  let database: TestDatabase;
  let a: TestServer | undefined, b: TestServer | undefined;
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  it("refuses on every replica what one revoked: at start from the database, then as it happens", async () => {
    database = await createTestDatabase("revoke_replicas");
    const env = { DATABASE_URL: database.url, POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
    a = await startInProcessServer(env);
    const onA = clientFor(AuthService, a.url);
    const [early, late] = [(await onA.login(ADMIN)).tokens!, (await onA.login(ADMIN)).tokens!];
    await onA.logout({ refreshToken: early.refreshToken });
    b = await startInProcessServer(env);
    const whoAmIOnB = (token: string) => outcome(clientFor(AuthService, b!.url, token).whoAmI({}));
    // Revoked before B started: B read it from the database.
    expect(reasonOf(await whoAmIOnB(early.accessToken))).toBe("SESSION_REVOKED");
    expect(await whoAmIOnB(late.accessToken)).toBe("ok");
    // Revoked on A while B runs: B hears it.
    await onA.logout({ refreshToken: late.refreshToken });
    let result = await whoAmIOnB(late.accessToken);
    for (let i = 0; i < 50 && result === "ok"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      result = await whoAmIOnB(late.accessToken);
    }
    expect(result instanceof ConnectError && [result.code, reasonOf(result)]).toEqual([Code.Unauthenticated, "SESSION_REVOKED"]);
  });
});
