// Per-principal rate limits on the whole host, over gRPC and Connect: the limit, its reason and retry delay,
// another caller unaffected, health never limited, and 0 turning it off.
import { Code, type ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../clients/src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
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
