// Test fixtures shared by the sys modules' tests: a fresh database (PGlite in a temp dir, or a newly created
// PostgreSQL database dropped afterwards) with the account, auth and authz tables, the real authz engine and
// token issuer, and an outbox that records sent email. Handlers are called directly with a HandlerContext; a
// test reaches another module's handlers through that module's instance (`serviceOf`).
import { createLifecycle } from "../core/lifecycle.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { create, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { createContextValues, createHandlerContext, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import pino, { type Logger } from "pino";
import { clientAddressKey, principalKey, type Principal } from "../core/authn/principal.js";
import { loadConfig, type Config } from "../core/config.js";
import { openDatabase, type Database } from "../core/db.js";
import type { EmailMessage } from "../core/ports/email-port.js";
import type { SysContext } from "../core/sys-context.js";
import type { PolityModule } from "../core/module.js";
import { accountEntities, accountMigrations, registerAccountResources } from "../account/index.js";
import { authEntities, authMigrations, createTokenIssuer } from "../auth/index.js";
import { authzEntities, authzMigrations, createAuthzEngine, createInProcessAuthorization } from "../authz/index.js";

export type DbKind = "pglite" | "postgres";
export const DB_KINDS: DbKind[] = ["pglite", "postgres"];

export interface TestDatabase {
  db: Database;
  config: Config;
  cleanup(): Promise<void>;
}

export async function openTestDatabase(kind: DbKind, options: { env?: Record<string, string>; logger?: Logger; migrate?: boolean } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "polity-test-"));
  const config = loadConfig({ env: { POLITY_DATA_DIR: dir, ...options.env } });
  const logger = options.logger ?? pino({ level: "silent" });
  // A random label: several databases may be created in the same millisecond.
  const database = kind === "postgres" ? await createTestDatabase(`sys_${Math.random().toString(36).slice(2, 8)}`) : undefined;
  const db = await openDatabase({
    tier: "sys",
    config,
    logger,
    url: database?.url,
    entities: [...accountEntities, ...authEntities, ...authzEntities],
    migrations: [...accountMigrations, ...authMigrations, ...authzMigrations],
  });
  if (options.migrate !== false) await db.migrate();
  return {
    db,
    config,
    async cleanup() {
      await db.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestSys extends TestDatabase {
  ctx: SysContext;
  outbox: EmailMessage[];
  logLines: () => Array<Record<string, unknown>>;
}

/** A SysContext on a fresh database with the real engine and issuer; email goes to `outbox`. */
export async function createTestSys(kind: DbKind, env: Record<string, string> = {}): Promise<TestSys> {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const testDb = await openTestDatabase(kind, { env, logger });
  const engine = createAuthzEngine({ db: testDb.db, logger });
  // What the account module registers when it starts: org roles reach into projects and service accounts.
  registerAccountResources(engine);
  const outbox: EmailMessage[] = [];
  const ctx: SysContext = {
    config: testDb.config,
    logger,
    db: testDb.db,
    authz: createInProcessAuthorization(engine),
    engine,
    tokens: await createTokenIssuer({ db: testDb.db, config: testDb.config, logger }),
    mail: { send: async (message) => void outbox.push(message) },
    lifecycle: createLifecycle(),
  };
  return { ...testDb, ctx, outbox, logLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A HandlerContext as the interceptors leave it: principal (if any) and client address set. */
export function handlerContext(principal?: Principal, clientAddress = "127.0.0.1"): HandlerContext {
  const contextValues = createContextValues().set(principalKey, principal).set(clientAddressKey, clientAddress);
  return createHandlerContext({
    service: AuthService,
    method: AuthService.method.whoAmI,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://localhost/test",
    contextValues,
  });
}

/** The token in a link like `.../#/verify?token=…` from the last email sent. */
export function tokenFromLastEmail(outbox: EmailMessage[]): string {
  const text = outbox.at(-1)?.text ?? "";
  const match = /token=([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no token in email: ${text}`);
  return match[1]!;
}

/** A service's unary handlers called directly: requests as init objects, responses as full messages. */
export type DirectService<S extends DescService> = {
  [K in keyof S["method"]]: (
    request: MessageInitShape<S["method"][K]["input"]>,
    hc: HandlerContext,
  ) => Promise<MessageShape<S["method"][K]["output"]>>;
};

export function direct<S extends DescService>(desc: S, impl: ServiceImpl<S>): DirectService<S> {
  const out: Record<string, unknown> = {};
  for (const method of desc.methods) {
    const handler = (impl as unknown as Record<string, (req: unknown, hc: HandlerContext) => unknown>)[method.localName]!;
    out[method.localName] = async (request: never, hc: HandlerContext) => create(method.output, (await handler(create(method.input, request), hc)) as never);
  }
  return out as DirectService<S>;
}

/** One service of a module instance, its handlers called directly: how a test reaches another module's handlers. */
export function serviceOf<S extends DescService>(module: PolityModule<SysContext>, ctx: SysContext, desc: S): DirectService<S> {
  const registration = module.services(ctx).find((r) => r.desc.typeName === desc.typeName);
  if (!registration) throw new Error(`module ${module.id} offers no ${desc.typeName}`);
  return direct(desc, registration.impl as ServiceImpl<S>);
}
