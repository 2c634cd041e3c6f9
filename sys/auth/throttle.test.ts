import { Code, ConnectError } from "@connectrpc/connect";
import pg from "pg";
import pino from "pino";
import { createTestDatabase } from "../../test/support/postgres.js";
import { loadConfig } from "../core/config.js";
import { openDatabase } from "../core/db.js";
import { createSysModules } from "../cmd/modules.js";

const sysModules = createSysModules();
import { describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { reasonOf } from "../core/errors.js";
import { createLoginThrottle, createRegistrationLimit, type LoginAttempt } from "./throttle.js";

async function refused(promise: Promise<unknown>): Promise<ConnectError | undefined> {
  return promise.then(() => undefined, (error: ConnectError) => error);
}

const limits = (pair: number, account: number, address: number) => ({ loginFailuresPerAccountAddress: pair, loginFailuresPerAccount: account, loginFailuresPerAddress: address });

describe("login throttle", () => {
  it("spends attempts before the password is checked: concurrent attempts beyond the pair's budget are refused", async () => {
    const throttle = createLoginThrottle(limits(5, 100, 100));
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => refused(throttle.attempt("Ada@example.org", "10.0.0.1"))));
    expect(outcomes.filter((e) => e === undefined)).toHaveLength(5);
    const error = outcomes.find((e) => e)!;
    expect([error.code, reasonOf(error)]).toEqual([Code.ResourceExhausted, "LOGIN_THROTTLED"]);
    expect(Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(800);
    // The owner, elsewhere, still gets in: only 5 of the account's 100 were spent.
    expect(await refused(throttle.attempt("ada@example.org", "10.0.0.2"))).toBeUndefined();
  });

  it("caps an account over all addresses, without charging refused attempts to it", async () => {
    const throttle = createLoginThrottle(limits(2, 5, 100));
    for (let i = 0; i < 5; i++) expect(await refused(throttle.attempt("bob@example.org", `10.0.1.${i}`))).toBeUndefined();
    expect(reasonOf(await refused(throttle.attempt("bob@example.org", "10.0.1.9")))).toBe("LOGIN_THROTTLED");
    // Refused by its own pair first, an attempt does not touch the account's budget.
    const other = createLoginThrottle(limits(1, 2, 100));
    await other.attempt("cat@example.org", "10.0.2.1");
    for (let i = 0; i < 5; i++) expect(reasonOf(await refused(other.attempt("cat@example.org", "10.0.2.1")))).toBe("LOGIN_THROTTLED");
    expect(await refused(other.attempt("cat@example.org", "10.0.2.2"))).toBeUndefined();
  });

  it("blocks an address that tries many accounts", async () => {
    const throttle = createLoginThrottle(limits(5, 100, 4));
    for (let i = 0; i < 4; i++) await throttle.attempt(`user${i}@example.org`, "192.0.2.7");
    expect(reasonOf(await refused(throttle.attempt("someone@example.org", "192.0.2.7")))).toBe("LOGIN_THROTTLED");
    expect(await refused(throttle.attempt("someone@example.org", "192.0.2.8"))).toBeUndefined();
  });

  it("does not count a right password as a failure", async () => {
    const throttle = createLoginThrottle(limits(3, 100, 100));
    for (let i = 0; i < 10; i++) await (await throttle.attempt("dan@example.org", "10.0.3.1")).succeeded();
    const failures: LoginAttempt[] = [];
    for (let i = 0; i < 3; i++) failures.push(await throttle.attempt("dan@example.org", "10.0.3.1"));
    expect(reasonOf(await refused(throttle.attempt("dan@example.org", "10.0.3.1")))).toBe("LOGIN_THROTTLED");
  });
});

describe("registration limit", () => {
  it("cuts registrations from one address, even concurrent ones, and 0 turns it off", async () => {
    const limit = createRegistrationLimit({ registrationsPerAddressPerHour: 3 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => refused(limit.consume("203.0.113.5"))));
    expect(outcomes.filter((e) => e === undefined)).toHaveLength(3);
    expect(reasonOf(outcomes.find((e) => e))).toBe("REGISTRATION_THROTTLED");
    expect(await refused(limit.consume("203.0.113.6"))).toBeUndefined();
    const off = createRegistrationLimit({ registrationsPerAddressPerHour: 0 });
    for (let i = 0; i < 20; i++) expect(await refused(off.consume("203.0.113.5"))).toBeUndefined();
  });
});

describe("login throttle shared on PostgreSQL", () => {
  it("counts attempts atomically across replicas: what one spends, another enforces", async () => {
    const database = await createTestDatabase("throttle");
    const db = await openDatabase({
      tier: "sys", config: loadConfig({ env: {} }), logger: pino({ level: "silent" }), url: database.url,
      entities: sysModules.flatMap((m) => m.entities), migrations: sysModules.flatMap((m) => m.migrations),
    });
    const pools = [new pg.Pool({ connectionString: database.url }), new pg.Pool({ connectionString: database.url })];
    try {
      await db.migrate();
      const [a, b] = pools.map((pool) => createLoginThrottle(limits(4, 100, 100), { pool, schema: "sys" }));
      // Two replicas, forty concurrent attempts on one (account, address): four get through in total.
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => refused((i % 2 ? a : b).attempt("eve@example.org", "198.51.100.1"))));
      expect(outcomes.filter((e) => e === undefined)).toHaveLength(4);
      expect(reasonOf(await refused(b.attempt("EVE@example.org", "198.51.100.1")))).toBe("LOGIN_THROTTLED");
      expect(await refused(a.attempt("eve@example.org", "198.51.100.2"))).toBeUndefined();
      const [ra, rb] = pools.map((pool) => createRegistrationLimit({ registrationsPerAddressPerHour: 2 }, { pool, schema: "sys" }));
      await ra.consume("198.51.100.7");
      await rb.consume("198.51.100.7");
      expect(reasonOf(await refused(ra.consume("198.51.100.7")))).toBe("REGISTRATION_THROTTLED");
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.close();
      await database.drop();
    }
  });
});
