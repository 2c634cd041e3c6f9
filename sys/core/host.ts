// The host composes the tiers enabled by config: their databases and migrations, the modules' services, one
// Connect router with one set of interceptors (call log, metrics, validation, authorization), health and
// reflection — and drains it all on stop.
import type { DescService } from "@bufbuild/protobuf";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { join } from "node:path";
import type { Logger } from "pino";
import { HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { modModules } from "../../mod/modules.js";
import { sysModules } from "../modules.js";
import { createEmailPort } from "../auth/email.js";
import { createTokenIssuer } from "../auth/token-issuer.js";
import { createAuthzEngine } from "../authz/engine.js";
import { createInProcessAuthorization } from "../authz/in-process-authorization.js";
import { clientAddressKey } from "./authn/principal.js";
import { createRemoteTokenVerifier, createTokenVerifier, type TokenVerifier } from "./authn/token-verifier.js";
import { createGuard } from "./authz/guard.js";
import { createRateLimit } from "./rate-limit.js";
import { createAuthInterceptor } from "./authz/interceptor.js";
import { readRules } from "./authz/rules.js";
import { createCallLog } from "./call-log.js";
import type { Config } from "./config.js";
import { type Database, openDatabase } from "./db.js";
import { createConnectFastPath } from "./connect-fast-path.js";
import { createGrpcFastPath } from "./grpc-fast-path.js";
import { createGrpcWebFastPath } from "./grpc-web-fast-path.js";
import { createHealth } from "./health.js";
import { createLifecycle } from "./lifecycle.js";
import { createMetrics } from "./metrics.js";
import type { ModContext, PolityModule, ServiceRegistration } from "./module.js";
import type { DirectoryPort } from "./ports/directory-port.js";
import { createRemoteDirectory } from "./ports/remote-directory.js";
import { createInProcessDirectory } from "../community/directory.js";
import type { AuthorizationPort } from "./ports/authorization-port.js";
import { createRemoteAuthorization } from "./ports/remote-authorization.js";
import { createReflection } from "./reflection.js";
import { type HttpRoute, type RunningServer, startServer } from "./server.js";
import { createStaticFiles } from "./static-files.js";
import type { SysContext, TokenIssuer } from "./sys-context.js";
import { logFastPathCall } from "./unary-call.js";
import { createMessageValidator, createValidationInterceptor } from "./validation.js";
import { createWireErrorInterceptor } from "./wire-errors.js";

export interface Host {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const webRoot = join(import.meta.dirname, "..", "..", "web", "dist");

/** Opens each enabled tier's database and applies its migrations (also `polityd migrate`). */
export async function openTierDatabases(config: Config, logger: Logger): Promise<{ sys?: Database; mod?: Database }> {
  const open = async (tier: "sys" | "mod", modules: PolityModule<never>[]) => {
    const db = await openDatabase({ tier, config, logger, entities: modules.flatMap((m) => m.entities), migrations: modules.flatMap((m) => m.migrations) });
    await db.migrate();
    return db;
  };
  return {
    sys: config.tiers.includes("sys") ? await open("sys", sysModules) : undefined,
    mod: config.tiers.includes("mod") ? await open("mod", modModules) : undefined,
  };
}

export async function startHost(config: Config, logger: Logger): Promise<Host> {
  const dbs = await openTierDatabases(config, logger);
  const stops: Array<() => Promise<void>> = [];
  const registrations: ServiceRegistration[] = [];
  let authorization: AuthorizationPort;
  let directory: DirectoryPort;
  let verifier: TokenVerifier;
  let tokens: TokenIssuer | undefined;

  if (dbs.sys) {
    const db = dbs.sys;
    const engine = createAuthzEngine({ db, logger });
    tokens = await createTokenIssuer({ db, config, logger });
    authorization = createInProcessAuthorization(engine);
    verifier = createTokenVerifier(tokens.verificationKeys, tokens.revocations);
    const ctx: SysContext = { config, logger, db, authz: authorization, engine, tokens, mail: createEmailPort(config, logger), lifecycle: createLifecycle() };
    directory = createInProcessDirectory(ctx);
    for (const module of sysModules) {
      registrations.push(...module.services(ctx));
      await module.start?.(ctx);
      if (module.stop) stops.push(() => module.stop!(ctx));
    }
  } else {
    authorization = createRemoteAuthorization({ sysUrl: config.sysUrl!, ttlMs: config.authzCacheTtlMs, logger });
    verifier = createRemoteTokenVerifier(config.sysUrl!);
    const remoteDirectory = createRemoteDirectory({ sysUrl: config.sysUrl!, logger });
    stops.push(() => remoteDirectory.close());
    directory = remoteDirectory;
  }
  if (dbs.mod) {
    const ctx: ModContext = { config, logger, db: dbs.mod, authz: authorization, directory };
    for (const module of modModules) {
      registrations.push(...module.services(ctx));
      await module.start?.(ctx);
      if (module.stop) stops.push(() => module.stop!(ctx));
    }
  }

  const health = createHealth();
  const tierServices = registrations.map((r) => r.desc);
  const reflection = createReflection([...tierServices, health.service.desc]);
  const operational = new Set<DescService>([health.service.desc, ...reflection.map((r) => r.desc)]);
  const all = [...registrations, health.service, ...reflection];
  const rules = readRules(all.map((r) => r.desc), (service) => operational.has(service));
  const guard = createGuard({ rules, verifier, authorization, rateLimit: createRateLimit(config), exempt: (service) => operational.has(service) });
  const metrics = createMetrics();
  const validate = createMessageValidator();
  const interceptors = [createCallLog(logger), metrics.interceptor, createWireErrorInterceptor(), createValidationInterceptor(validate), createAuthInterceptor(guard)];
  // Unary gRPC, Connect and gRPC-Web skip connect-node's pipelines (README, Performance) but run the very same
  // validation, guard, handlers, metrics and call log; everything else falls through to connect-node.
  const fastOptions = { services: all, guard, validate, observe: metrics.observe, logCall: logFastPathCall(logger), maxMessageBytes: config.maxMessageBytes };
  const fastPath = createGrpcFastPath(fastOptions);
  const connectFastPath = createConnectFastPath(fastOptions);
  const grpcWebFastPath = createGrpcWebFastPath(fastOptions);

  const staticFiles = config.serveWeb ? createStaticFiles(webRoot) : undefined;
  const rpc = connectNodeAdapter({
    interceptors,
    readMaxBytes: config.maxMessageBytes,
    writeMaxBytes: config.maxMessageBytes,
    routes: (router) => {
      for (const registration of all) router.service(registration.desc, registration.impl as never);
    },
    contextValues: (req) => createContextValues().set(clientAddressKey, req.socket?.remoteAddress ?? ""),
    fallback: (req, res) => {
      if (staticFiles?.(req, res as never)) return;
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    },
  });

  const routes: Record<string, HttpRoute> = { "/metrics": metrics.handleHttp };
  if (tokens) {
    const issuer = tokens;
    routes["/.well-known/jwks.json"] = async (_req, res) => {
      const body = JSON.stringify(await issuer.jwks());
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "public, max-age=60");
      res.end(body);
    };
  }
  const server: RunningServer = await startServer({ config, logger, routes, rpc: ((req: never, res: never) => fastPath(req, res) || connectFastPath(req, res) || grpcWebFastPath(req, res) || rpc(req, res)) as never });

  // Health follows what the tier can actually do: a mod process that cannot reach sys is NOT_SERVING.
  const refreshHealth = () => {
    const serving = !draining && authorization.isAvailable();
    health.setAll(serving ? Status.SERVING : Status.NOT_SERVING);
  };
  let draining = false;
  for (const desc of tierServices) health.setStatus(desc.typeName, Status.SERVING);
  refreshHealth();
  const healthTimer = setInterval(refreshHealth, 500);
  healthTimer.unref();

  logger.info({ url: server.url, tiers: config.tiers, services: tierServices.map((s) => s.typeName) }, "polityd serving");
  return {
    url: server.url,
    port: server.port,
    async stop() {
      draining = true;
      clearInterval(healthTimer);
      health.setAll(Status.NOT_SERVING);
      await server.drain(config.shutdownGraceMs);
      health.shutdown();
      for (const stop of stops.reverse()) await stop();
      await authorization.close?.();
      await dbs.mod?.close();
      await dbs.sys?.close();
      logger.info("polityd stopped");
    },
  };
}
