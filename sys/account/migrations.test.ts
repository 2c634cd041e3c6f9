// Entities and migrations must agree: a fresh database migrated from scratch needs no further schema change.
import { afterEach, describe, expect, it } from "vitest";
import { DB_KINDS, openTestDatabase, type TestDatabase } from "../shared/test-support.js";

describe.each(DB_KINDS)("sys account+auth migrations on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it("create every table and leave no schema diff", async () => {
    t = await openTestDatabase(kind);
    const diff = await t.db.orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe("");
    const tables = await t.db.em().getConnection().execute<{ table_name: string }[]>(
      `select table_name from information_schema.tables where table_schema = 'sys' order by table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining(["accounts", "api_keys", "orgs", "projects", "sessions", "refresh_tokens", "email_tokens", "signing_keys"]));
  });

  it("apply nothing the second time", async () => {
    t = await openTestDatabase(kind);
    expect(await t.db.migrate()).toEqual([]);
  });
});
