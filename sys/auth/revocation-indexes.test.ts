// The revocation reload (every sys replica at start and after losing LISTEN) and an account's sign-out everywhere
// read sessions through an index, not a scan of every session ever opened. PostgreSQL's planner is asked with
// sequential scans priced out: without the index it still has to scan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../shared/test-support.js";
import { query } from "../core/sql.js";
import { Session } from "./entities.js";

describe("session indexes for revocation (PostgreSQL)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
  });
  afterAll(async () => t?.cleanup());

  async function plan(where: Record<string, unknown>): Promise<string> {
    return t.db.em().transactional(async (tx) => {
      await query(tx, "set local enable_seqscan = off");
      // The ORM's own SQL for the filter, as revocations.ts and sessions.ts issue it.
      const sql = tx.createQueryBuilder(Session).select(["id", "revokedAt"]).where(where).getFormattedQuery();
      const rows = await query<{ "QUERY PLAN": string }>(tx, `explain ${sql}`);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
  }

  it("finds recent revocations through sessions_revoked_at_index", async () => {
    expect(await plan({ revokedAt: { $gt: new Date(Date.now() - 900_000) } })).toContain("sessions_revoked_at_index");
  });

  it("finds an account's sessions through sessions_account_id_index", async () => {
    expect(await plan({ accountId: crypto.randomUUID() })).toContain("sessions_account_id_index");
  });
});
