// Fixtures for the community tests: a SysContext on a fresh database holding every sys module's tables (PGlite
// in a temp dir, or a throwaway PostgreSQL database), verified people seeded directly, an org.
import { createLifecycle } from "../core/lifecycle.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createTestDatabase } from "../../test/support/postgres.js";
import { Account, accountEntities, accountMigrations, Org, registerAccountResources } from "../account/index.js";
import { authEntities, authMigrations, createTokenIssuer } from "../auth/index.js";
import { authzEntities, authzMigrations, createAuthzEngine, createInProcessAuthorization } from "../authz/index.js";
import type { Principal } from "../core/authn/principal.js";
import { loadConfig } from "../core/config.js";
import { openDatabase } from "../core/db.js";
import type { EmailMessage } from "../core/ports/email-port.js";
import type { SysContext } from "../core/sys-context.js";
import { registerCommunityAccess } from "./access.js";
import { communityEntities } from "./entities.js";
import { communityMigrations } from "./migrations/index.js";

export interface CommunityTestSys {
  ctx: SysContext;
  outbox: EmailMessage[];
  person(name: string): Promise<Principal>;
  org(): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createCommunityTestSys(backend: "pglite" | "postgres"): Promise<CommunityTestSys> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-community-"));
  const database = backend === "postgres" ? await createTestDatabase("community") : undefined;
  const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir } });
  const logger = pino({ level: "silent" });
  const db = await openDatabase({
    tier: "sys",
    config,
    logger,
    url: database?.url,
    entities: [...accountEntities, ...authEntities, ...authzEntities, ...communityEntities],
    migrations: [...accountMigrations, ...authMigrations, ...authzMigrations, ...communityMigrations],
  });
  await db.migrate();
  const engine = createAuthzEngine({ db, logger });
  const outbox: EmailMessage[] = [];
  const ctx: SysContext = {
    config,
    logger,
    db,
    engine,
    authz: createInProcessAuthorization(engine),
    tokens: await createTokenIssuer({ db, config, logger }),
    mail: { send: async (message) => void outbox.push(message) },
    lifecycle: createLifecycle(),
  };
  // What the account and community modules register on their host's engine when they start.
  registerAccountResources(engine);
  registerCommunityAccess(engine, db);
  let n = 0;
  return {
    ctx,
    outbox,
    async person(name) {
      const id = crypto.randomUUID();
      const now = new Date();
      await db.em().insert(Account, { id, kind: "person", email: `${name.toLowerCase()}-${++n}@example.org`, displayName: name, emailVerifiedAt: now, createdAt: now, updatedAt: now, version: 1 });
      return { accountId: id, kind: "person", sessionId: "" };
    },
    async org() {
      const id = crypto.randomUUID();
      const now = new Date();
      await db.em().insert(Org, { id, slug: `org-${++n}`, displayName: `Org ${n}`, description: "", createdAt: now, updatedAt: now, version: 1 });
      return id;
    },
    async cleanup() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}
