// writeTransaction on PostgreSQL: a transaction that loses to a concurrent writer runs again from the start, and
// one that keeps losing answers ABORTED / CONCURRENT_MODIFICATION instead of INTERNAL. The concurrent writer is
// a real second connection bumping the row's version between the transaction's read and its write.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Org } from "../account/entities.js";
import { createSeeder, openTestDb, type TestDb } from "../authz/test-support.js";
import { reasonOf } from "./errors.js";
import { query, tableOf } from "./sql.js";
import { isWriteConflict, WRITE_ATTEMPTS, writeTransaction } from "./write-transaction.js";

describe("writeTransaction on postgres", () => {
  let t: TestDb;
  let orgId: string;
  // Another client's committed update, made while our transaction holds no lock on the row.
  const bumpElsewhere = async () => {
    const em = t.db.em();
    expect(em.isInTransaction()).toBe(false);
    await query(em, `update ${tableOf(em, Org)} set version = version + 1 where id = ?`, [orgId]);
  };

  beforeAll(async () => {
    t = await openTestDb("postgres", "write_tx");
    orgId = await createSeeder(t.db).org();
  });
  afterAll(async () => t?.cleanup());

  it("runs a transaction that lost an optimistic lock again, on a fresh read", async () => {
    let attempts = 0;
    const name = await writeTransaction(t.db, async (tx) => {
      const org = await tx.findOneOrFail(Org, { id: orgId });
      if (++attempts === 1) await bumpElsewhere();
      org.displayName = `renamed after ${attempts}`;
      await tx.flush();
      return org.displayName;
    });
    expect(attempts).toBe(2);
    expect(name).toBe("renamed after 2");
    expect((await t.db.em().findOneOrFail(Org, { id: orgId })).displayName).toBe("renamed after 2");
  });

  it("answers ABORTED CONCURRENT_MODIFICATION after losing every attempt, and writes nothing", async () => {
    let attempts = 0;
    const error = await writeTransaction(t.db, async (tx) => {
      attempts++;
      const org = await tx.findOneOrFail(Org, { id: orgId });
      await bumpElsewhere();
      org.displayName = "never";
      await tx.flush();
    }).catch((e: unknown) => e);
    expect(attempts).toBe(WRITE_ATTEMPTS);
    expect(error).toBeInstanceOf(ConnectError);
    expect([(error as ConnectError).code, reasonOf(error)]).toEqual([Code.Aborted, "CONCURRENT_MODIFICATION"]);
    expect((await t.db.em().findOneOrFail(Org, { id: orgId })).displayName).not.toBe("never");
  });

  it("does not run a transaction again for any other error", async () => {
    let attempts = 0;
    const refusal = new Error("refused");
    await expect(writeTransaction(t.db, async () => {
      attempts++;
      throw refusal;
    })).rejects.toBe(refusal);
    expect(attempts).toBe(1);
    expect(isWriteConflict({ code: "40001" }) && isWriteConflict({ code: "40P01" }) && !isWriteConflict({ code: "23505" })).toBe(true);
  });
});
