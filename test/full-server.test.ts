// The whole host on a real port, on the embedded PGlite and on PostgreSQL: sign-up to org creation over each
// protocol, authorization through the interceptor, and the operational endpoints.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus, Health } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { AccountService } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { clientFor, type Protocol } from "./support/clients.js";
import { reasonOf, rejection } from "./support/failures.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

for (const backend of ["pglite", "postgres"] as const) {
  describe(`full server on ${backend}`, () => {
    let server: TestServer;
    let database: TestDatabase | undefined;

    beforeAll(async () => {
      database = backend === "postgres" ? await createTestDatabase("full") : undefined;
      server = await startInProcessServer({
        POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        ...(database ? { DATABASE_URL: database.url } : {}),
      });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it("reports SERVING through gRPC health", async () => {
      const res = await clientFor(Health, server.url).check({});
      expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    });

    for (const protocol of ["grpc", "connect", "grpc-web"] as Protocol[]) {
      it(`registers, signs in and creates an org over ${protocol}`, async () => {
        const auth = clientFor(AuthService, server.url, undefined, protocol);
        const email = `ada-${protocol}@example.org`;
        const registered = await auth.register({ email, password: "analytical engine", displayName: "Ada" });
        expect(registered.accountId).toMatch(/^[0-9a-f-]{36}$/);
        const login = await auth.login({ email, password: "analytical engine" });
        const token = login.tokens!.accessToken;
        const me = await clientFor(AuthService, server.url, token, protocol).whoAmI({});
        expect(me.email).toBe(email);
        expect(me.emailVerified).toBe(false);
        // Unverified accounts are restricted to what they need to fix that.
        const orgs = clientFor(OrgProjectService, server.url, token, protocol);
        const denied = await rejection(orgs.createOrg({ slug: `ada-${protocol}`, displayName: "Ada's" }));
        expect(denied.code).toBe(Code.PermissionDenied);
        expect(reasonOf(denied)).toBe("EMAIL_UNVERIFIED");
      });
    }

    it("lets the bootstrap superadmin create an org and see it listed", async () => {
      const login = await clientFor(AuthService, server.url).login({ email: ADMIN.email, password: ADMIN.password });
      const orgs = clientFor(OrgProjectService, server.url, login.tokens!.accessToken);
      const created = await orgs.createOrg({ slug: "open-coop", displayName: "Open Coop" });
      expect(created.org?.slug).toBe("open-coop");
      const listed = await orgs.listOrgs({});
      expect(listed.orgs.map((o) => o.slug)).toContain("open-coop");
      const duplicate = await rejection(orgs.createOrg({ slug: "open-coop", displayName: "Again" }));
      expect(duplicate.code).toBe(Code.AlreadyExists);
    });

    it("refuses calls without a token and with a forged one", async () => {
      const anonymous = await rejection(clientFor(AuthService, server.url).whoAmI({}));
      expect(anonymous.code).toBe(Code.Unauthenticated);
      const forged = await rejection(clientFor(AuthService, server.url, "eyJhbGciOiJFZERTQSJ9.e30.c2ln").whoAmI({}));
      expect(forged.code).toBe(Code.Unauthenticated);
    });

    it("denies a person another person's account and audits the denial", async () => {
      const auth = clientFor(AuthService, server.url);
      const a = await auth.register({ email: "a@example.org", password: "first person pw", displayName: "A" });
      const b = await auth.register({ email: "b@example.org", password: "second person pw", displayName: "B" });
      const accounts = clientFor(AccountService, server.url, a.tokens!.accessToken);
      const denied = await rejection(accounts.getAccount({ accountId: b.accountId }));
      expect(denied.code).toBe(Code.PermissionDenied);
      const admin = await auth.login({ email: ADMIN.email, password: ADMIN.password });
      const audit = await clientFor(AuthzService, server.url, admin.tokens!.accessToken).listAuditEvents({ kind: "denied" });
      expect(audit.events.some((e) => e.actorId === a.accountId)).toBe(true);
    });

    it("serves /metrics with the standard gRPC names on the admin listener (not the public port), the JWKS and the web GUI", async () => {
      const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
      expect(metrics).toContain("grpc_server_handled_total");
      expect(metrics).toContain("grpc_server_handling_seconds");
      expect(metrics).toContain("process_cpu_seconds_total");
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.length).toBeGreaterThan(0);
      expect(jwks.keys[0].kid).toBeTruthy();
      expect(await (await fetch(`${server.url}/`)).text()).toMatch(/<html/i);
    });
  });
}
