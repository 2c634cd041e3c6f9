// Loading is idempotent and resumable: a load stopped between batches leaves its country unmarked, and the next
// (resuming) load finishes it without duplicating anything.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { openTierDatabase } from "../../sys/cmd/compose.js";
import { createSysModules } from "../../sys/cmd/modules.js";
import { loadConfig } from "../../sys/core/config.js";
import type { PolityModule } from "../../sys/core/module.js";
import { query } from "../../sys/core/sql.js";
import { loadPlaces, placesComplete } from "../../sys/timespace/places/index.js";

const dataDir = mkdtempSync(join(tmpdir(), "polity-places-load-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("resumes a stopped load and reloads without duplicates", async () => {
  const db = await openTierDatabase("sys", createSysModules() as PolityModule<never>[], loadConfig({ env: { POLITY_DATA_DIR: dataDir } }), pino({ level: "silent" }));
  const count = async (sql: string) => Number((await query<{ n: number }>(db.em(), sql))[0]!.n);
  try {
    let batches = 0;
    // Luxembourg (first in the file) is one batch, Monaco one more: stopped before Monaco's.
    const stopped = await loadPlaces(db, { countries: ["MC", "LU"], resume: true, stopped: () => batches++ >= 1 });
    expect(stopped.countries).toBe(1);
    const loads = await query<{ country_id: string }>(db.em(), `select country_id from "sys"."timespace_place_loads" order by country_id`);
    expect(loads.map((l) => l.country_id)).toEqual(["LU"]);
    const resumed = await loadPlaces(db, { countries: ["MC", "LU"], resume: true });
    expect(resumed.countries).toBe(1);
    const places = await count(`select count(*) as n from "sys"."timespace_places"`);
    const names = await count(`select count(*) as n from "sys"."timespace_place_names"`);
    expect(places).toBeGreaterThan(150);
    await loadPlaces(db, { countries: ["LU", "MC"] });
    expect(await count(`select count(*) as n from "sys"."timespace_places"`)).toBe(places);
    expect(await count(`select count(*) as n from "sys"."timespace_place_names"`)).toBe(names);
    expect(await placesComplete(db)).toBe(false);
  } finally {
    await db.close();
  }
}, 120_000);
