// GetListing reads off the ORM: on both backends it must give exactly what the ORM's findOne gave, batch
// concurrent reads without mixing them up, and treat an unknown or malformed id as "not found".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, equals } from "@bufbuild/protobuf";
import { createContextValues, type HandlerContext } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetListingResponseSchema } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { loadConfig } from "../../../sys/core/config.js";
import { type Database, openDatabase } from "../../../sys/core/db.js";
import { createListingService } from "./listing-service.js";
import { Listing } from "./entities.js";
import { createListingReader } from "./listing-reader.js";
import { discoMigrations } from "./migrations/index.js";

// GetListing reads no sys port: the ports are there only to satisfy the service's signature.
const serviceDeps = (db: Database) => ({ db, directory: undefined as never, timespace: () => undefined as never });

describe.each(["pglite", "postgres"] as const)("listing reader on %s", (backend) => {
  let db: Database;
  let pgDb: TestDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "polity-disco-"));
  const ids: string[] = [];

  beforeAll(async () => {
    pgDb = backend === "postgres" ? await createTestDatabase("disco_reader") : undefined;
    db = await openDatabase({
      tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }), logger: pino({ level: "silent" }),
      entities: [Listing as never], migrations: discoMigrations, url: pgDb?.url,
    });
    await db.migrate();
    for (let i = 0; i < 5; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      await db.em().insert(Listing, {
        id, orgId: crypto.randomUUID(), title: `Listing ${i}`, summary: `About ${i} "quoted", {braces}`, tags: i % 2 ? ["a", "b c"] : [],
        url: `https://example.com/${i}`, createdBy: crypto.randomUUID(), createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i, 123)),
        updatedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i, 123)),
      });
    }
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await pgDb?.drop();
  });

  it("answers GetListing exactly as the ORM's findOne did", async () => {
    const service = createListingService(serviceDeps(db));
    const ctx = { values: createContextValues() } as HandlerContext;
    for (const id of ids) {
      const orm = await db.em().findOneOrFail(Listing, { id });
      const got = create(GetListingResponseSchema, await service.getListing({ listingId: id } as never, ctx));
      const want = create(GetListingResponseSchema, {
        listing: { id: orm.id, orgId: orm.orgId, title: orm.title, summary: orm.summary, tags: orm.tags, url: orm.url, createdBy: orm.createdBy,
          createdAt: { seconds: BigInt(Math.floor(orm.createdAt.getTime() / 1000)), nanos: (orm.createdAt.getTime() % 1000) * 1e6 },
          updatedAt: { seconds: BigInt(Math.floor(orm.updatedAt.getTime() / 1000)), nanos: (orm.updatedAt.getTime() % 1000) * 1e6 } },
      });
      expect(equals(GetListingResponseSchema, got, want)).toBe(true);
      expect(got.listing!.createdAt!.nanos).toBe(123_000_000);
    }
  });

  it("batches concurrent reads and keeps each caller's answer its own", async () => {
    const read = createListingReader(db);
    const asked = [ids[3]!, ids[0]!, "not-a-uuid", crypto.randomUUID(), ids[3]!.toUpperCase(), ids[1]!];
    const rows = await Promise.all(asked.map(read));
    expect(rows.map((r) => r?.title)).toEqual(["Listing 3", "Listing 0", undefined, undefined, "Listing 3", "Listing 1"]);
    expect(rows[0]!.tags).toEqual(["a", "b c"]);
    expect(rows[1]!.tags).toEqual([]);
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("sees a listing written just before the read", async () => {
    const read = createListingReader(db);
    const id = crypto.randomUUID();
    expect(await read(id)).toBeUndefined();
    await db.em().insert(Listing, { id, orgId: crypto.randomUUID(), title: "Fresh", summary: "", tags: ["x"], url: "https://example.com", createdBy: crypto.randomUUID(), createdAt: new Date(), updatedAt: new Date() });
    expect((await read(id))?.title).toBe("Fresh");
  });

  it("answers NotFound for an unknown listing", async () => {
    const service = createListingService(serviceDeps(db));
    await expect(service.getListing({ listingId: crypto.randomUUID() } as never, { values: createContextValues() } as HandlerContext)).rejects.toThrow(/not found/i);
  });
});
