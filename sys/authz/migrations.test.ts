// The authz tables as migrated must be exactly what the entities describe, on PGlite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { type Backend, openTestDb } from "./test-support.js";

describe.each<Backend>(["pglite", "postgres"])("authz migrations on %s", (backend) => {
  it("leave nothing for the ORM to change", async () => {
    const t = await openTestDb(backend, "authz_mig");
    try {
      expect((await t.db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe("");
      expect(await t.db.migrate()).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
