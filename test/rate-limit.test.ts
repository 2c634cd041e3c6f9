// Per-principal rate limits on the whole host, over gRPC and Connect: the limit, its reason and retry delay,
// another caller unaffected, health never limited, and 0 turning it off; the mod tier's service account resolving
// identities (webhook bursts) metered in the tier's per-address bucket instead of its own.
import { Code, type ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../clients/src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { AccountService } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { IdentityService } from "../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { clientFor, type Protocol } from "./support/clients.js";
import { reasonOf, rejection } from "./support/failures.js";
import { signUpVerified } from "./support/people.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const protocols: Protocol[] = ["grpc", "connect"];

// A verified person: three anonymous calls (register, verify, login) from the test's address.
async function signIn(server: TestServer, name: string): Promise<string> {
  return (await signUpVerified(server.url, server.logs, `${name}@example.org`)).token;
}

function expectRateLimited(error: ConnectError) {
  expect(error.code).toBe(Code.ResourceExhausted);
  expect(reasonOf(error)).toBe("RATE_LIMITED");
  const seconds = Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
}

describe("rate limits on the full server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startInProcessServer({ POLITY_RATE_LIMIT_PER_MINUTE: "6", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "10" });
  });
  afterAll(async () => server?.stop());

  it("limits a principal across protocols, leaves others alone and never limits health", async () => {
    // 6 anonymous calls of the address's 10.
    const [ada, bob] = [await signIn(server, "ada"), await signIn(server, "bob")];
    for (let i = 0; i < 6; i++) await clientFor(AuthService, server.url, ada, protocols[i % 2]).whoAmI({});
    for (const protocol of protocols) expectRateLimited(await rejection(clientFor(AuthService, server.url, ada, protocol).whoAmI({})));
    for (const protocol of protocols) expect((await clientFor(AuthService, server.url, bob, protocol).whoAmI({})).email).toBe("bob@example.org");
    for (let i = 0; i < 20; i++) expect((await clientFor(Health, server.url).check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("limits calls without a token per client address", async () => {
    // The address has 4 anonymous calls left (the first test used 4): tokenless calls count even when refused.
    for (let i = 0; i < 4; i++) expect((await rejection(clientFor(AuthService, server.url, undefined, protocols[i % 2]).whoAmI({}))).code).toBe(Code.Unauthenticated);
    for (const protocol of protocols) expectRateLimited(await rejection(clientFor(AuthService, server.url, undefined, protocol).whoAmI({})));
  });
});

describe("rate limits set to 0", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startInProcessServer({ POLITY_RATE_LIMIT_PER_MINUTE: "0", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "0" });
  });
  afterAll(async () => server?.stop());

  it("limits nothing", async () => {
    const ada = await signIn(server, "ada");
    for (let i = 0; i < 30; i++) {
      const protocol = protocols[i % 2];
      await clientFor(AuthService, server.url, ada, protocol).whoAmI({});
      expect((await rejection(clientFor(AuthService, server.url, undefined, protocol).whoAmI({}))).code).toBe(Code.Unauthenticated);
    }
  });
});

describe("the mod tier's identity questions", () => {
  const ADMIN = { email: "root@rate-limit.example.org", password: "root password 123" };
  let server: TestServer;
  beforeAll(async () => {
    server = await startInProcessServer({
      POLITY_RATE_LIMIT_PER_MINUTE: "6",
      POLITY_TIER_CHECK_RATE_LIMIT_PER_MINUTE: "12",
      POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
  });
  afterAll(async () => server?.stop());

  it("count a service account's resolve/lookup calls per address in the tier bucket, not against its own budget", async () => {
    const admin = (await clientFor(AuthService, server.url).login(ADMIN)).tokens!.accessToken;
    const { org } = await clientFor(OrgProjectService, server.url, admin).createOrg({ slug: "operators", displayName: "Operators" });
    const bot = await clientFor(AccountService, server.url, admin).createServiceAccount({ orgId: org!.id, displayName: "mod tier", role: "guest" });
    await clientFor(AuthzService, server.url, admin).grantRole({ accountId: bot.serviceAccount!.id, role: "platform.identity_resolver", resource: "platform" });
    const token = (await clientFor(AuthService, server.url).exchangeApiKey({ apiKey: bot.apiKeySecret })).tokens!.accessToken;
    const identities = (i: number) => clientFor(IdentityService, server.url, token, protocols[i % 2]);

    // A webhook burst: twice the account's budget of 6, none refused for the rate.
    for (let i = 0; i < 10; i++) expect((await rejection(identities(i).resolveIdentity({ platform: "github", platformUserId: `${i}` }))).code).toBe(Code.NotFound);
    expect((await identities(0).lookupIdentities({ platform: "github", accountIds: [bot.serviceAccount!.id] })).identities).toEqual([]);
    // Its own budget is untouched by them ...
    for (let i = 0; i < 6; i++) await clientFor(AuthService, server.url, token, protocols[i % 2]).whoAmI({});
    expectRateLimited(await rejection(clientFor(AuthService, server.url, token).whoAmI({})));
    // ... and the per-address tier bucket (12 a minute here) still bounds them.
    expect((await identities(1).lookupIdentities({ platform: "github", accountIds: [] })).identities).toEqual([]);
    expectRateLimited(await rejection(identities(0).resolveIdentity({ platform: "github", platformUserId: "1" })));
  });

  it("keep counting a person's identity questions against the person's own budget", async () => {
    const admin = (await clientFor(AuthService, server.url).login(ADMIN)).tokens!.accessToken;
    // The login above is anonymous; the first test used 3 of the admin's 6 calls.
    for (let i = 0; i < 3; i++) expect((await rejection(clientFor(IdentityService, server.url, admin).resolveIdentity({ platform: "github", platformUserId: "x" }))).code).toBe(Code.NotFound);
    expectRateLimited(await rejection(clientFor(IdentityService, server.url, admin).resolveIdentity({ platform: "github", platformUserId: "x" })));
  });
});
