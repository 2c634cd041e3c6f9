// The revocation reload (every sys replica at start and after losing LISTEN) reads recently disabled accounts
// through an index, not a scan of every account. PostgreSQL's planner is asked with sequential scans priced out:
// without the index it still has to scan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../core/sql.js";
import { Account } from "./entities.js";
import { openTestDatabase, type TestDatabase } from "../shared/test-support.js";

describe("accounts index for revocation (PostgreSQL)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
  });
  afterAll(async () => t?.cleanup());

  it("finds recently disabled accounts through accounts_disabled_at_index", async () => {
    const plan = await t.db.em().transactional(async (tx) => {
      await query(tx, "set local enable_seqscan = off");
      // The ORM's own SQL for the filter, as revocations.ts issues it.
      const sql = tx.createQueryBuilder(Account).select(["id", "disabledAt"]).where({ disabledAt: { $gt: new Date(Date.now() - 900_000) } }).getFormattedQuery();
      const rows = await query<{ "QUERY PLAN": string }>(tx, `explain ${sql}`);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("accounts_disabled_at_index");
  });
});
