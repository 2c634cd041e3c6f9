// Fixtures for the community tests: a SysContext on a fresh database holding every sys module's tables (PGlite
// in a temp dir, or a throwaway PostgreSQL database), verified people seeded directly, an org.
import { createLifecycle } from "../core/lifecycle.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createTestDatabase } from "../../test/support/postgres.js";
import { Account, Org } from "../account/entities.js";
import { createTokenIssuer } from "../auth/token-issuer.js";
import { createAuthzEngine } from "../authz/engine.js";
import { createInProcessAuthorization } from "../authz/in-process-authorization.js";
import type { Principal } from "../core/authn/principal.js";
import { loadConfig } from "../core/config.js";
import { openDatabase } from "../core/db.js";
import type { EmailMessage } from "../core/ports/email-port.js";
import type { SysContext } from "../core/sys-context.js";
import { createSysModules } from "../cmd/modules.js";

const sysModules = createSysModules();
import { registerCommunityAccess } from "./access.js";

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
    entities: sysModules.flatMap((m) => m.entities),
    migrations: sysModules.flatMap((m) => m.migrations),
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
  registerCommunityAccess(db);
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
