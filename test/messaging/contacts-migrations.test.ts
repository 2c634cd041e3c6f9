// The contacts area's entities and migrations agree on PostgreSQL and PGlite (the whole-tier check in
// test/migrations.test.ts covers all areas together; this one runs in seconds and names the culprit).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { contactsArea } from "../../mod/messaging/contacts/area.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase } from "../../sys/core/db.js";
import { createTestDatabase } from "../support/postgres.js";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`contacts migrations on ${backend}`, () => {
    it("leave nothing for the ORM to change", async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "polity-contacts-mig-"));
      const database = backend === "postgres" ? await createTestDatabase("mig_contacts") : undefined;
      const db = await openDatabase({
        tier: "mod",
        config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }),
        logger: pino({ level: "silent" }),
        entities: contactsArea.entities,
        migrations: contactsArea.migrations,
        url: database?.url,
      });
      try {
        expect(await db.migrate()).toHaveLength(contactsArea.migrations.length);
        expect((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe("");
      } finally {
        await db.close();
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
