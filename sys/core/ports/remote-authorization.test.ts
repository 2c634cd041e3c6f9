// The remote authorization port against a real Connect gRPC server (AuthzService + health, behind the real
// guard) on port 0: same decisions as the engine, batching, the decision cache, failing closed, recovery.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { generateKeyPair, SignJWT } from "jose";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthzService } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { createAuthzService } from "../../authz/authz-service.js";
import { createInProcessAuthorization } from "../../authz/in-process-authorization.js";
import { createSeeder, createTestEngine, openTestDb, type TestDb } from "../../authz/test-support.js";
import { createTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER } from "../authn/token-verifier.js";
import { createGuard } from "../authz/guard.js";
import { createGuardConcern } from "../authz/guard-concern.js";
import { service } from "../module.js";
import { applyConcerns } from "../pipeline/apply-concerns.js";
import type { Concern } from "../pipeline/concern.js";
import { createConnectNodeHandler } from "../rpc-handler.js";
import { readRules } from "../authz/rules.js";
import { reasonOf } from "../errors.js";
import { createHealth } from "../health.js";
import { createRateLimit } from "../rate-limit.js";
import type { AuthzEngine, SysContext } from "../sys-context.js";
import type { AccessQuestion, AuthorizationPort } from "./authorization-port.js";
import { createRemoteAuthorization } from "./remote-authorization.js";

const logger = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("remote authorization port", () => {
  let t: TestDb;
  let engine: AuthzEngine;
  let ids: Record<string, string>;
  let sign: (accountId: string) => Promise<string>;
  let handler: ReturnType<typeof connectNodeAdapter>;
  /** sys's AuthzService behind a guard that allows `tierChecks` questions per address and minute. */
  let meteredHandler: (tierChecks: number) => ReturnType<typeof connectNodeAdapter>;
  let server: http2.Http2Server | undefined;
  let port = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  const calls: Record<string, number> = {};
  const ports: AuthorizationPort[] = [];

  async function startServer() {
    server = http2.createServer(handler);
    server.on("session", (s) => {
      sessions.add(s);
      s.on("close", () => sessions.delete(s));
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  }
  async function stopServer() {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
  const rpcs = () => (calls.Check ?? 0) + (calls.CheckBatch ?? 0);
  const remote = (ttlMs: number, credentials?: () => string, now?: () => number) => {
    const port_ = createRemoteAuthorization({ sysUrl: `http://127.0.0.1:${port}`, ttlMs, logger, credentials, probeIntervalMs: 100, timeoutMs: 2000, now });
    ports.push(port_);
    return port_;
  };

  beforeAll(async () => {
    t = await openTestDb("pglite", "authz_remote");
    engine = createTestEngine(t.db, logger);
    const seed = createSeeder(t.db);
    const orgA = await seed.org();
    const orgB = await seed.org();
    ids = {
      orgA,
      orgB,
      projA: await seed.project(orgA),
      root: await seed.person(),
      adminA: await seed.person(),
      memberA: await seed.person(),
      outsider: await seed.person(),
      disabled: await seed.person({ disabled: true }),
      unverified: await seed.person({ verified: false }),
    };
    const sys = (accountId: string, role: string, resource: string) => engine.grant({ actorId: "", accountId, role, resource, system: true });
    await sys(ids.root, "platform.superadmin", "platform");
    await sys(ids.adminA, "org.admin", `org/${orgA}`);
    await sys(ids.memberA, "org.member", `org/${orgA}`);
    await sys(ids.disabled, "org.admin", `org/${orgA}`);

    const { publicKey, privateKey } = await generateKeyPair("EdDSA");
    const verifier = createTokenVerifier(async () => publicKey);
    sign = (accountId) =>
      new SignJWT({ knd: "person", sid: "s" }).setProtectedHeader({ alg: "EdDSA" }).setSubject(accountId).setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(privateKey);
    const health = createHealth();
    const rules = readRules([AuthzService, health.service.desc], (s) => s === health.service.desc);
    const guard = createGuard({ rules, verifier, authorization: createInProcessAuthorization(engine) });
    const count: Concern = (method) => (next) => (call) => {
      // Only sys's AuthzService: the ports' background health probes (Health/Check) must not count as "Check".
      if (method.parent.typeName === AuthzService.typeName) calls[method.name] = (calls[method.name] ?? 0) + 1;
      return next(call);
    };
    const ctx = { config: undefined, logger, db: t.db, authz: createInProcessAuthorization(engine), engine } as unknown as SysContext;
    const services = [service(AuthzService, createAuthzService(ctx)), health.service];
    const clientAddress = (req: { socket?: { remoteAddress?: string } | null }) => req.socket?.remoteAddress ?? "";
    handler = createConnectNodeHandler({ services: applyConcerns(services, [count, createGuardConcern(guard)]), maxMessageBytes: 65536, clientAddress }) as never;
    meteredHandler = (tierCheckRateLimitPerMinute) => {
      const rateLimit = createRateLimit({ rateLimitPerMinute: 0, anonymousRateLimitPerMinute: 0, tierCheckRateLimitPerMinute });
      const guarded = applyConcerns(services, [createGuardConcern(createGuard({ rules, verifier, authorization: createInProcessAuthorization(engine), rateLimit }))]);
      return createConnectNodeHandler({ services: guarded, maxMessageBytes: 65536, clientAddress }) as never;
    };
    await startServer();
  });
  afterAll(async () => {
    for (const p of ports) await p.close?.();
    if (server) await stopServer();
    await t?.cleanup();
  });

  function matrix(): AccessQuestion[] {
    const who = ["root", "adminA", "memberA", "outsider", "disabled", "unverified"].map((w) => ids[w]!).concat(crypto.randomUUID(), "");
    const permissions = ["sys.project.update", "sys.project.read", "sys.org.read", "sys.account.read", ""];
    const resources = [`project/${ids.projA}`, `org/${ids.orgA}`, `org/${ids.orgB}`, `account/${ids.outsider}`, "platform"];
    return who.flatMap((principalId) =>
      permissions.flatMap((permission) => resources.flatMap((resource) => [false, true].map((allowRestricted) => ({ principalId, permission, resource, allowRestricted })))),
    );
  }

  it("gives the engine's decisions, asked with a service credential", async () => {
    const rootToken = await sign(ids.root);
    const port_ = remote(0, () => rootToken);
    const questions = matrix();
    const expected = await engine.checkBatch(questions);
    expect(await Promise.all(questions.map((q) => port_.check(q)))).toEqual(expected);
    expect(await port_.checkBatch(questions)).toEqual(expected);
    expect(expected.some((d) => d.allowed) && expected.some((d) => !d.allowed)).toBe(true);
  });

  it("gives the engine's decisions when each caller's own token is forwarded", async () => {
    const port_ = remote(0);
    const own = matrix().filter((q) => [ids.adminA, ids.memberA, ids.outsider].includes(q.principalId));
    const bearers = new Map(await Promise.all([ids.adminA!, ids.memberA!, ids.outsider!].map(async (id) => [id, `Bearer ${await sign(id)}`] as const)));
    const answers = await Promise.all(own.map((q) => port_.check({ ...q, bearer: bearers.get(q.principalId) })));
    expect(answers).toEqual(await engine.checkBatch(own));
    // Asking about someone else needs a platform role.
    expect(await port_.check({ principalId: ids.root!, permission: "sys.org.read", resource: "platform", bearer: bearers.get(ids.outsider!) })).toEqual({ allowed: false, reason: "check_others_denied" });
    // A disabled caller is refused by sys's own guard: still a plain "no".
    expect(await port_.check({ principalId: ids.disabled!, permission: "sys.org.read", resource: `org/${ids.orgA}`, bearer: `Bearer ${await sign(ids.disabled!)}` })).toMatchObject({ allowed: false, reason: "account_disabled" });
  });

  it("batches the questions of one turn into one CheckBatch per credential", async () => {
    const rootToken = await sign(ids.root);
    const port_ = remote(0, () => rootToken);
    const before = { ...calls };
    const questions = matrix().filter((q) => q.principalId !== "").slice(0, 60);
    await Promise.all(questions.map((q) => port_.check(q)));
    expect((calls.CheckBatch ?? 0) - (before.CheckBatch ?? 0)).toBe(1);
    expect((calls.Check ?? 0) - (before.Check ?? 0)).toBe(0);
    const other = `Bearer ${await sign(ids.adminA!)}`;
    const mark = rpcs();
    await Promise.all([...questions.slice(0, 5).map((q) => port_.check(q)), port_.check({ principalId: ids.adminA!, permission: "sys.org.read", resource: `org/${ids.orgA}`, bearer: other })]);
    expect(rpcs() - mark).toBe(2);
  });

  it("caches decisions for the TTL; with TTL 0 a revocation shows at once", async () => {
    const rootToken = await sign(ids.root);
    // The cache's own clock, stepped by hand: the decision is served from the cache until exactly its TTL.
    let clock = 1_000_000;
    const cached = remote(60_000, () => rootToken, () => clock);
    const uncached = remote(0, () => rootToken);
    const q = { principalId: ids.outsider!, permission: "sys.project.read", resource: `project/${ids.projA}` };
    await engine.grant({ actorId: ids.adminA!, accountId: ids.outsider!, role: "project.member", resource: q.resource });
    expect(await cached.check(q)).toMatchObject({ allowed: true });
    expect(await uncached.check(q)).toMatchObject({ allowed: true });
    await engine.revoke({ actorId: ids.adminA!, accountId: ids.outsider!, role: "project.member", resource: q.resource });
    const mark = rpcs();
    expect(await cached.check(q)).toMatchObject({ allowed: true, cached: true });
    expect(rpcs()).toBe(mark);
    expect(await uncached.check(q)).toMatchObject({ allowed: false, reason: "no_role" });
    clock += 59_999;
    expect(await cached.check(q)).toMatchObject({ allowed: true });
    expect(rpcs()).toBe(mark + 1);
    clock += 1;
    expect(await cached.check(q)).toMatchObject({ allowed: false, reason: "no_role" });
    expect(rpcs()).toBe(mark + 2);
    // Counted for the hit ratio on the host's /metrics: two questions answered here, two asked of sys.
    const registry = new Registry();
    for (const metric of cached.metrics ?? []) registry.registerMetric(metric);
    const exposition = await registry.metrics();
    expect(exposition).toMatch(/^authz_decision_cache_hits_total 2$/m);
    expect(exposition).toMatch(/^authz_decision_cache_misses_total 2$/m);
  });

  it("passes sys's RATE_LIMITED on to the caller and does not take sys for unavailable", async () => {
    const metered = http2.createServer(meteredHandler(3));
    await new Promise<void>((resolve) => metered.listen(0, "127.0.0.1", resolve));
    const port_ = createRemoteAuthorization({ sysUrl: `http://127.0.0.1:${(metered.address() as AddressInfo).port}`, ttlMs: 0, logger, probeIntervalMs: 100, timeoutMs: 2000 });
    ports.push(port_);
    try {
      const ask = (resource: string) => port_.check({ principalId: "", permission: "sys.org.read", resource });
      for (const org of [ids.orgA!, ids.orgB!, ids.orgA!]) expect(await ask(`org/${org}`)).toMatchObject({ allowed: false });
      const error = await ask(`org/${ids.orgB}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectError);
      expect([(error as ConnectError).code, reasonOf(error)]).toEqual([Code.ResourceExhausted, "RATE_LIMITED"]);
      expect(port_.isAvailable()).toBe(true);
    } finally {
      await port_.close?.();
      await new Promise<void>((resolve) => metered.close(() => resolve()));
    }
  });

  it("fails closed while sys is down and recovers when it is back", async () => {
    const rootToken = await sign(ids.root);
    const port_ = remote(0, () => rootToken);
    const q = { principalId: ids.adminA!, permission: "sys.org.update", resource: `org/${ids.orgA}` };
    expect(await port_.check(q)).toMatchObject({ allowed: true });
    await stopServer();
    const error = await port_.check(q).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect(reasonOf(error)).toBe("SYS_UNAVAILABLE");
    expect(port_.isAvailable()).toBe(false);
    await startServer();
    for (let i = 0; i < 50 && !port_.isAvailable(); i++) await sleep(100);
    expect(port_.isAvailable()).toBe(true);
    expect(await port_.check(q)).toMatchObject({ allowed: true });
  });
});
