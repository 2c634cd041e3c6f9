// A server for Metagov-API tests on its own PostgreSQL database: an org with a service account (an org admin)
// and an API key for it, made on a first start; the second start trusts keyless requests from 127.0.0.1 as that
// account. `stop()` also drops the database.
import { randomBytes } from "node:crypto";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { clientFor } from "./clients.js";
import { createTestDatabase } from "./postgres.js";
import { startInProcessServer, type TestServer } from "./server.js";

/** The bootstrap superadmin of a Metagov test server. */
export const METAGOV_ROOT = { email: "root@example.org", password: "root password 123" };

export interface MetagovServer {
  server: TestServer;
  apiKey: string;
  serviceAccountId: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startMetagovServer(label: string, env: Record<string, string> = {}): Promise<MetagovServer> {
  const database = await createTestDatabase(label);
  const setup = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: METAGOV_ROOT.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: METAGOV_ROOT.password });
  let serviceAccountId: string;
  let apiKey: string;
  try {
    const admin = (await clientFor(AuthService, setup.url).login(METAGOV_ROOT)).tokens!.accessToken;
    const { org } = await clientFor(OrgProjectService, setup.url, admin).createOrg({ slug: "drivers", displayName: "Drivers" });
    const created = await clientFor(AccountService, setup.url, admin).createServiceAccount({ orgId: org!.id, displayName: "metagov driver" });
    serviceAccountId = created.serviceAccount!.id;
    apiKey = created.apiKeySecret;
    await clientFor(AuthzService, setup.url, admin).grantRole({ accountId: serviceAccountId, role: "org.admin", resource: `org/${org!.id}` });
  } finally {
    await setup.stop();
  }
  const server = await startInProcessServer({
    DATABASE_URL: database.url,
    POLITY_METAGOV_TRUSTED_NETWORKS: "127.0.0.1/32",
    POLITY_METAGOV_SERVICE_ACCOUNT: serviceAccountId,
    POLITY_METAGOV_SERVICE_ACCOUNT_KEY: apiKey,
    POLITY_SECRETS_KEY: randomBytes(32).toString("base64"),
    POLITY_OUTBOUND_ALLOW_PRIVATE: "true",
    ...env,
  });
  return {
    server, apiKey, serviceAccountId, databaseUrl: database.url,
    async stop() {
      await server.stop();
      await database.drop();
    },
  };
}
