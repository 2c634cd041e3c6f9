import { Code, ConnectError } from "@connectrpc/connect";
import pg from "pg";
import pino from "pino";
import { createTestDatabase } from "../../test/support/postgres.js";
import { loadConfig } from "../core/config.js";
import { openDatabase } from "../core/db.js";
import { sysModules } from "../modules.js";
import { describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { reasonOf } from "../core/errors.js";
import { createLoginThrottle } from "./throttle.js";

async function blocked(promise: Promise<void>): Promise<ConnectError | undefined> {
  return promise.then(() => undefined, (error: ConnectError) => error);
}

describe("login throttle", () => {
  it("blocks an account after its allowed failures, with retry info, until a success resets it", async () => {
    const throttle = createLoginThrottle({ loginFailuresPerAccount: 3, loginFailuresPerAddress: 100 });
    for (let i = 0; i < 3; i++) {
      expect(await blocked(throttle.check("Ada@example.org", "10.0.0.1"))).toBeUndefined();
      await throttle.recordFailure("ada@example.org", `10.0.0.${i}`);
    }
    const error = await blocked(throttle.check("ada@example.org", "10.0.0.9"));
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(reasonOf(error)).toBe("LOGIN_THROTTLED");
    const retry = error!.findDetails(RetryInfoSchema)[0];
    expect(Number(retry?.retryDelay?.seconds)).toBeGreaterThan(800);
    expect(await blocked(throttle.check("bob@example.org", "10.0.0.9"))).toBeUndefined();
    await throttle.recordSuccess("ada@example.org");
    expect(await blocked(throttle.check("ada@example.org", "10.0.0.9"))).toBeUndefined();
  });

  it("blocks an address that tries many accounts", async () => {
    const throttle = createLoginThrottle({ loginFailuresPerAccount: 100, loginFailuresPerAddress: 4 });
    for (let i = 0; i < 4; i++) await throttle.recordFailure(`user${i}@example.org`, "192.0.2.7");
    expect(reasonOf(await blocked(throttle.check("someone@example.org", "192.0.2.7")))).toBe("LOGIN_THROTTLED");
    expect(await blocked(throttle.check("someone@example.org", "192.0.2.8"))).toBeUndefined();
  });
});

describe("login throttle shared on PostgreSQL", () => {
  it("counts failures across replicas: what one records, another enforces", async () => {
    const database = await createTestDatabase("throttle");
    const db = await openDatabase({
      tier: "sys", config: loadConfig({ env: {} }), logger: pino({ level: "silent" }), url: database.url,
      entities: sysModules.flatMap((m) => m.entities), migrations: sysModules.flatMap((m) => m.migrations),
    });
    const pools = [new pg.Pool({ connectionString: database.url }), new pg.Pool({ connectionString: database.url })];
    try {
      await db.migrate();
      const config = { loginFailuresPerAccount: 2, loginFailuresPerAddress: 100 };
      const [a, b] = pools.map((pool) => createLoginThrottle(config, { pool, schema: "sys" }));
      await a.recordFailure("eve@example.org", "198.51.100.1");
      await b.recordFailure("eve@example.org", "198.51.100.2");
      expect(reasonOf(await blocked(a.check("eve@example.org", "198.51.100.3")))).toBe("LOGIN_THROTTLED");
      expect(reasonOf(await blocked(b.check("EVE@example.org", "198.51.100.3")))).toBe("LOGIN_THROTTLED");
      await a.recordSuccess("eve@example.org");
      expect(await blocked(b.check("eve@example.org", "198.51.100.3"))).toBeUndefined();
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.close();
      await database.drop();
    }
  });
});
