// Test fixtures for the authz tests: a migrated sys database (PGlite or a throwaway PostgreSQL database) with
// the account and authz tables, an engine that knows the account module's resources, and seeding helpers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { createTestDatabase } from "../../test/support/postgres.js";
import { Account, accountEntities, accountMigrations, Org, Project, registerAccountResources } from "../account/index.js";
import { loadConfig } from "../core/config.js";
import { type Database, openDatabase } from "../core/db.js";
import type { AuthzEngine } from "../core/sys-context.js";
import { createAuthzEngine } from "./engine.js";
import { authzEntities } from "./entities.js";
import { authzMigrations } from "./migrations/index.js";

export type Backend = "pglite" | "postgres";

export interface TestDb {
  db: Database;
  cleanup(): Promise<void>;
}

export async function openTestDb(backend: Backend, label: string): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-authz-"));
  const database = backend === "postgres" ? await createTestDatabase(label) : undefined;
  const db = await openDatabase({
    tier: "sys",
    config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }),
    logger: pino({ level: "silent" }),
    entities: [...accountEntities, ...authzEntities],
    migrations: [...accountMigrations, ...authzMigrations],
    url: database?.url,
  });
  await db.migrate();
  return {
    db,
    async cleanup() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

/** The engine as a host builds it, with what the account module registers on it (projects, service accounts). */
export function createTestEngine(db: Database, logger: Logger = pino({ level: "silent" })): AuthzEngine {
  const engine = createAuthzEngine({ db, logger });
  registerAccountResources(engine);
  return engine;
}

export function createSeeder(db: Database) {
  const now = new Date();
  let n = 0;
  return {
    async org(): Promise<string> {
      const id = crypto.randomUUID();
      await db.em().insert(Org, { id, slug: `org-${++n}-${id.slice(0, 6)}`, displayName: `Org ${n}`, description: "", createdAt: now, updatedAt: now, version: 1 });
      return id;
    },
    async project(orgId: string): Promise<string> {
      const id = crypto.randomUUID();
      await db.em().insert(Project, { id, orgId, slug: `p-${++n}`, displayName: `Project ${n}`, description: "", createdAt: now, updatedAt: now, version: 1 });
      return id;
    },
    async person(options: { name?: string; verified?: boolean; disabled?: boolean } = {}): Promise<string> {
      const id = crypto.randomUUID();
      const name = options.name ?? `person${++n}`;
      await db.em().insert(Account, {
        id,
        kind: "person",
        email: `${name.toLowerCase()}-${id.slice(0, 8)}@example.org`,
        displayName: name,
        passwordHash: null,
        emailVerifiedAt: options.verified === false ? null : now,
        disabledAt: options.disabled ? now : null,
        ownerOrgId: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      return id;
    },
    async service(ownerOrgId: string): Promise<string> {
      const id = crypto.randomUUID();
      await db.em().insert(Account, {
        id,
        kind: "service",
        email: null,
        displayName: `svc${++n}`,
        passwordHash: null,
        emailVerifiedAt: null,
        disabledAt: null,
        ownerOrgId,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      return id;
    },
  };
}
