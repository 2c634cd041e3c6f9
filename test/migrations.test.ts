// Entities and committed migrations must agree, per tier, on PostgreSQL and on the embedded PGlite: after
// applying every migration to an empty database the ORM finds nothing left to change.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../sys/core/config.js";
import { openDatabase } from "../sys/core/db.js";
import type { PolityModule } from "../sys/core/module.js";
import { createModModules, createSysModules } from "../sys/cmd/modules.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";

const tiers: Array<["sys" | "mod", PolityModule<never>[]]> = [["sys", createSysModules() as PolityModule<never>[]], ["mod", createModModules() as PolityModule<never>[]]];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

for (const backend of ["pglite", "postgres"] as const) {
  describe(`migrations on ${backend}`, () => {
    for (const [tier, modules] of tiers) {
      it(`${tier}: entities match the migrations, and migrating twice is a no-op`, async () => {
        const dataDir = mkdtempSync(join(tmpdir(), "polity-mig-"));
        let database: TestDatabase | undefined;
        if (backend === "postgres") database = await createTestDatabase(`mig_${tier}`);
        const db = await openDatabase({
          tier,
          config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }),
          logger: pino({ level: "silent" }),
          entities: modules.flatMap((m) => m.entities),
          migrations: modules.flatMap((m) => m.migrations),
          url: database?.url,
        });
        cleanups.push(async () => {
          rmSync(dataDir, { recursive: true, force: true });
          await database?.drop();
        });
        try {
          const applied = await db.migrate();
          expect(applied.length).toBe(modules.flatMap((m) => m.migrations).length);
          expect(await db.migrate()).toEqual([]);
          const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
          expect(diff.trim()).toBe("");
        } finally {
          await db.close();
        }
      });
    }
  });
}
