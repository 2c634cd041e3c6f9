// Retention keeps pending work and recent history, and removes only finished rows past their time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../sys/core/config.js";
import { type Database, openDatabase } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { GovernanceDeps } from "../deps.js";
import { DeliveryEntity, governanceEntities, InboxEntity } from "../entities.js";
import { governanceMigrations } from "../migrations/index.js";
import { DELIVERY_RETENTION_MS, INBOX_RETENTION_MS, pruneFinished } from "./prune.js";

const dir = mkdtempSync(join(tmpdir(), "polity-prune-"));
let db: Database;
beforeAll(async () => {
  db = await openDatabase({ tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: dir } }), logger: pino({ level: "silent" }), entities: governanceEntities as never, migrations: governanceMigrations });
  await db.migrate();
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("governance retention", () => {
  it("prunes finished inbox rows and deliveries past their retention, never pending ones", async () => {
    const em = db.em();
    const now = new Date();
    const old = (ms: number) => new Date(now.getTime() - ms - 60_000);
    const inbox = tableOf(em, InboxEntity);
    const deliveries = tableOf(em, DeliveryEntity);
    const addInbox = (status: string, at: Date) => query(em, `insert into ${inbox} (id, instance_id, delivery_id, headers, query, body, status, attempts, last_error, next_attempt_at, received_at) values (?, ?, ?, '{}', '{}', ?, ?, 1, '', ?, ?)`, [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), Buffer.from("{}"), status, at, at]);
    const addDelivery = (status: string, at: Date) => query(em, `insert into ${deliveries} (id, community_id, kind, url, body, status, attempts, last_error, next_attempt_at, created_at, updated_at) values (?, ?, 'event', 'https://example.org', '{}', ?, 1, '', ?, ?, ?)`, [crypto.randomUUID(), crypto.randomUUID(), status, at, at, at]);
    await addInbox("processed", old(INBOX_RETENTION_MS));
    await addInbox("processed", now);
    await addInbox("pending", old(INBOX_RETENTION_MS));
    await addDelivery("delivered", old(DELIVERY_RETENTION_MS));
    await addDelivery("failed", old(DELIVERY_RETENTION_MS));
    await addDelivery("pending", old(DELIVERY_RETENTION_MS));
    await addDelivery("delivered", now);
    expect(await pruneFinished({ db } as GovernanceDeps, now)).toBe(3);
    expect((await query<{ status: string }>(em, `select status from ${inbox} order by status`)).map((r) => r.status)).toEqual(["pending", "processed"]);
    expect((await query<{ status: string }>(em, `select status from ${deliveries} order by status`)).map((r) => r.status)).toEqual(["delivered", "pending"]);
  });
});
