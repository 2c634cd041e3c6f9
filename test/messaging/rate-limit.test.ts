// The provider rate limit holds across processes: two limiters on two connection pools of one PostgreSQL
// database, reserving concurrently, never hand out more than N slots in any one-second window. Also: the
// tables of the blasts, templates and rate-limit areas match their migrations on both backends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { blastsArea } from "../../mod/messaging/blasts/area.js";
import { createProviderRateLimiter, waitFor } from "../../mod/messaging/rate-limit/provider-rate.js";
import { templatesArea } from "../../mod/messaging/templates/area.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase, type Database } from "../../sys/core/db.js";
import { createTestDatabase } from "../support/postgres.js";

const entities = [...blastsArea.entities, ...templatesArea.entities];
const migrations = [...blastsArea.migrations, ...templatesArea.migrations];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function open(backend: "pglite" | "postgres", url?: string): Promise<Database> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-rate-"));
  const db = await openDatabase({ tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }), logger: pino({ level: "silent" }), entities, migrations, url: backend === "postgres" ? url : undefined });
  cleanups.push(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return db;
}

/** The most slots found in any window [t, t + 1 s). */
function busiestSecond(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("provider rate limiter", () => {
  it("two limiters on one PostgreSQL never exceed N per second, and waits pace the sends", async () => {
    const database = await createTestDatabase("rate_limit");
    cleanups.push(() => database.drop());
    const first = await open("postgres", database.url);
    await first.migrate();
    const second = await open("postgres", database.url);
    const limiters = [createProviderRateLimiter({ db: first }), createProviderRateLimiter({ db: second })];
    const provider = randomUUID();
    const perSecond = 20;
    const slots: number[] = [];
    const sends: number[] = [];
    // Four concurrent senders per limiter, 60 sends in all: three seconds of traffic at 20/s.
    const started = Date.now();
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 60 / 8 - 0.5; i++) {
            const { slotAt, waitMs } = await limiter.reserveSlot(provider, perSecond);
            slots.push(slotAt.getTime());
            await waitFor(waitMs);
            sends.push(Date.now());
          }
        }),
      ),
    );
    expect(slots).toHaveLength(56);
    expect(busiestSecond(slots)).toBeLessThanOrEqual(perSecond);
    const sorted = [...slots].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1000 / perSecond - 1);
    // Real sends follow the slots (timers fire a few ms late, never a whole slot early).
    expect(busiestSecond(sends)).toBeLessThanOrEqual(perSecond + 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((56 - 1) * 1000) / perSecond - 50);
    // Another provider has its own bucket; no rate means no wait.
    expect(await limiters[1]!.reserve(randomUUID(), perSecond)).toBe(0);
    expect(await limiters[0]!.reserve(provider, 0)).toBe(0);
  });

  for (const backend of ["pglite", "postgres"] as const) {
    it(`blasts, templates and rate tables match their migrations on ${backend}; the limiter runs there`, async () => {
      const database = backend === "postgres" ? await createTestDatabase("mig_blasts") : undefined;
      if (database) cleanups.push(() => database.drop());
      const db = await open(backend, database?.url);
      expect(await db.migrate()).toHaveLength(migrations.length);
      expect((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe("");
      const limiter = createProviderRateLimiter({ db });
      const provider = randomUUID();
      expect(await limiter.reserve(provider, 2)).toBe(0);
      const wait = await limiter.reserve(provider, 2);
      expect(wait).toBeGreaterThan(400);
      expect(wait).toBeLessThanOrEqual(500);
      // A batch takes consecutive slots after those already reserved: 1/rate apart.
      const batch = await limiter.reserveMany(provider, 2, 3);
      expect(batch).toHaveLength(3);
      expect(batch[0]!).toBeGreaterThan(900);
      expect(batch[1]! - batch[0]!).toBeGreaterThanOrEqual(499);
      expect(batch[2]! - batch[1]!).toBeLessThanOrEqual(501);
      expect(await limiter.reserveMany(randomUUID(), 0, 3)).toEqual([0, 0, 0]);
    });
  }
});
