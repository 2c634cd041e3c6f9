// The timespace port across two binaries: polityd --tiers sys with Luxembourg's places loaded, and polityd --tiers
// mod. The remote port reads places without a credential; a client that knows only the mod process's URL reaches
// PlaceService through it; an unreachable sys is SYS_UNAVAILABLE.
import { Code, ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaceKind, PlaceService } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { clientFor } from "../../../test/support/clients.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { startProcessServer, type TestServer } from "../../../test/support/server.js";
import { createSysModules } from "../../cmd/modules.js";
import { openTierDatabase } from "../../cmd/compose.js";
import { loadPlaces } from "../../timespace/places/index.js";
import { loadConfig } from "../config.js";
import type { PolityModule } from "../module.js";
import { createRemoteTimespace } from "./remote-timespace.js";

const logger = pino({ level: "silent" });

describe("timespace port across polityd --tiers sys and --tiers mod", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  const ports: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("timespace_sys"), createTestDatabase("timespace_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url });
    const db = await openTierDatabase("sys", createSysModules() as PolityModule<never>[], loadConfig({ env: { DATABASE_URL: sysDb.url } }), logger);
    try {
      await loadPlaces(db, { countries: ["LU"] });
    } finally {
      await db.close();
    }
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
  }, 120_000);

  afterAll(async () => {
    for (const port of ports) await port.close();
    await mod?.stop();
    await sys?.stop();
    await sysDb?.drop();
    await modDb?.drop();
  });

  it("reads places and nearest candidates from sys without a credential", async () => {
    const places = clientFor(PlaceService, sys.url);
    const cities = (await places.searchPlaces({ query: "esch", kinds: [PlaceKind.CITY], limit: 1 })).places;
    const luxembourg = (await places.searchPlaces({ query: "luxembourg", kinds: [PlaceKind.CITY], limit: 1 })).places[0]!;
    const esch = cities[0]!;
    const port = createRemoteTimespace({ sysUrl: sys.url, logger, timeoutMs: 2000 });
    ports.push(port);
    const got = await port.getPlaces([luxembourg.id, "gn:1", "not a place id", "LU"], "de");
    expect(got.map((p) => p.id)).toEqual([luxembourg.id, "LU"]);
    expect(got[1]).toMatchObject({ kind: "country", name: "Luxemburg", countryId: "LU" });
    expect(got[0]).toMatchObject({ kind: "city", countryId: "LU", timeZone: "Europe/Luxembourg" });
    const near = await port.nearestAmong(luxembourg.id, [esch.id, luxembourg.id, "gn:1"], 50);
    expect(near.map((n) => n.placeId)).toEqual([luxembourg.id, esch.id]);
    expect(near[1]!.distanceKm).toBeGreaterThan(10);
    expect(near[1]!.distanceKm).toBeLessThan(25);
    const refused = await port.nearestAmong("gn:1", [esch.id], 10).catch((e: unknown) => ConnectError.from(e));
    expect((refused as ConnectError).code).toBe(Code.NotFound);
    expect(port.time.isZone("Europe/Luxembourg")).toBe(true);
  });

  it("serves PlaceService to a client that knows only the mod process", async () => {
    const { places } = await clientFor(PlaceService, mod.url).getPlaces({ ids: ["LU"], language: "fr" });
    expect(places[0]?.name).toBe("Luxembourg");
  });

  it("says SYS_UNAVAILABLE when sys is away", async () => {
    const port = createRemoteTimespace({ sysUrl: "http://127.0.0.1:9", logger, timeoutMs: 1000 });
    ports.push(port);
    const error = await port.getPlaces(["LU"], "en").catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
  });
});
