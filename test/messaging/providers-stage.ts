// The stage for the provider, chain and inbound tests: a server on its own PostgreSQL database with a secrets
// key, an org run by the bootstrap admin, and a person with no role in it; plus a direct handle on the
// database (read what is stored) and the messaging deps a worker would have (call resolveChain directly).
import { randomBytes } from "node:crypto";
import { type Client, createClient } from "@connectrpc/connect";
import pg from "pg";
import pino from "pino";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { ProviderService } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { loadConfig } from "../../sys/core/config.js";
import { type Database, openDatabase } from "../../sys/core/db.js";
import { createKeyring, type Keyring } from "../../sys/core/secrets/keyring.js";
import type { MessagingDeps } from "../../mod/messaging/deps.js";
import { createMessagingModule } from "../../mod/messaging/index.js";
import { signUpVerified } from "../support/people.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

export interface ProviderStage {
  server: TestServer;
  database: TestDatabase;
  admin: PolityClient;
  stranger: PolityClient;
  orgId: string;
  providers: Client<typeof ProviderService>;
  contacts: Client<typeof ContactService>;
  strangerProviders: Client<typeof ProviderService>;
  sql: pg.Client;
  keyring: Keyring;
  /** The server's secrets key. */
  keyKey: Buffer;
  /** Messaging deps on the same database, as the worker tier builds them. */
  deps: MessagingDeps;
  stop(): Promise<void>;
}

export async function startProviderStage(tag: string, env: Record<string, string> = {}): Promise<ProviderStage> {
  const database = await createTestDatabase(tag);
  const key = randomBytes(32).toString("base64");
  const admin = { email: `${tag}-admin@example.org`, password: "a long admin password" };
  const serverEnv = { DATABASE_URL: database.url, POLITY_SECRETS_KEY: key, POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_BOOTSTRAP_ADMIN_EMAIL: admin.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: admin.password, ...env };
  const server = await startInProcessServer(serverEnv);
  const adminClient = createPolityClient({ baseUrl: server.url });
  await adminClient.auth.login(admin);
  const { org } = await adminClient.orgs.createOrg({ slug: `${tag.replace(/[^a-z0-9]/g, "")}-org`, displayName: `Org ${tag}` });
  const strangerPerson = await signUpVerified(server.url, server.logs, `${tag}-stranger@example.org`, "a long stranger password");
  const stranger = createPolityClient({ baseUrl: server.url });
  await stranger.auth.login({ email: strangerPerson.email, password: "a long stranger password" });
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const keyring = createKeyring({ current: Buffer.from(key, "base64") });
  const { deps, db, module } = await workerDeps(database.url, serverEnv, server.url);
  return {
    server, database, admin: adminClient, stranger, orgId: org!.id, sql, keyring, keyKey: Buffer.from(key, "base64"), deps,
    providers: createClient(ProviderService, adminClient.transport),
    contacts: createClient(ContactService, adminClient.transport),
    strangerProviders: createClient(ProviderService, stranger.transport),
    async stop() {
      // POLITY_TEST_DUMP_ERRORS=1 prints the server's error log lines (a failing test's "internal error").
      if (process.env.POLITY_TEST_DUMP_ERRORS) for (const line of server.logs) if (line.includes('"level":50')) console.error(line);
      await module.stop?.();
      await db.close();
      await sql.end();
      await server.stop();
      await database.drop();
    },
  };
}

async function workerDeps(url: string, env: Record<string, string>, selfUrl: string): Promise<{ deps: MessagingDeps; db: Database; module: ReturnType<typeof createMessagingModule> }> {
  const config = loadConfig({ env: { POLITY_DATA_DIR: "/tmp/unused-polity-provider-stage", ...env } });
  const logger = pino({ level: "silent" });
  const module = createMessagingModule();
  const db = await openDatabase({ tier: "mod", config, logger, entities: module.entities, migrations: [], url });
  const deps = module.depsFor({ config, logger, db, authz: undefined as never, directory: undefined as never, selfUrl: () => selfUrl } as never);
  return { deps, db, module };
}
