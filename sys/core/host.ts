// The host serves the tiers it is given (sys/cmd decides which): their modules' services behind one call
// pipeline (call log, metrics, validation, authorization) on every protocol, health and reflection on one
// port, /metrics and the probes on the admin listener — and drains it all on stop.
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { HealthCheckResponse_ServingStatus as Status } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { metricsElsewhere, startAdminListener } from "./admin-listener.js";
import type { TokenVerifier } from "./authn/token-verifier.js";
import { createAdminNetworkCheck } from "./authz/admin-networks.js";
import { createGuard } from "./authz/guard.js";
import { createGuardConcern } from "./authz/guard-concern.js";
import { readRules } from "./authz/rules.js";
import { createCallLogConcern } from "./call-log.js";
import { createClientAddress } from "./client-address.js";
import type { Config } from "./config.js";
import type { Database } from "./db.js";
import { domainMetricsOf } from "./domain-metrics.js";
import { createHealth, type UpstreamHealth } from "./health.js";
import { createMetrics, type QueueDepthSource } from "./metrics.js";
import type { PolityModule, ServiceRegistration, TierContext } from "./module.js";
import { applyConcerns } from "./pipeline/apply-concerns.js";
import type { Concern } from "./pipeline/concern.js";
import type { AuthorizationPort } from "./ports/authorization-port.js";
import type { DirectoryPort } from "./ports/directory-port.js";
import { createRateLimit } from "./rate-limit.js";
import { createProbeRoutes, type HostState } from "./readiness.js";
import { createGrpcWebTextAdapter } from "./grpc-web-text.js";
import { createReflection } from "./reflection.js";
import { createRpcHandler } from "./rpc-handler.js";
import { createModuleRouter } from "./http/module-router.js";
import type { HttpRoute } from "./http/route.js";
import { type GetRoute, type RunningServer, startServer } from "./server.js";
import { createStaticFiles } from "./static-files.js";
import type { Req, Res } from "./unary-call.js";
import { createMessageValidator, createValidationConcern } from "./validation.js";

export interface Host {
  url: string;
  port: number;
  /** The admin listener (/metrics, /healthz, /readyz). */
  adminUrl: string;
  stop(): Promise<void>;
}

/** What the host needs from sys, in-process or remote: the guard's questions, token checks, the directory. */
export interface HostPorts {
  authorization: AuthorizationPort;
  verifier: TokenVerifier;
  directory: DirectoryPort;
  /** Another process's health statuses to list beside this one's (a mod-only process lists its sys's). */
  upstreamHealth?: UpstreamHealth;
  /** Exact-path GET routes the tier serves (the JWKS). */
  routes?: Record<string, GetRoute>;
  close?(): Promise<void>;
}

/** One tier: its open database, its module instances and the context they get. */
export interface TierPlan {
  db: Database;
  modules: PolityModule<TierContext>[];
  context: TierContext;
  /** Registers the modules' services and HTTP routes (default true; a worker-only process serves none). */
  serve?: boolean;
  /** Runs the modules' background `work` (default false: only a process of the worker tier does). */
  work?: boolean;
  /** What the tier owns beside its modules (the job queue): stopped after the modules, before the database closes. */
  stop?(): Promise<void>;
}

export interface HostPlan {
  config: Config;
  logger: Logger;
  tiers: TierPlan[];
  ports: HostPorts;
  /** Extra concerns, outermost, around every call. */
  concerns?: Concern[];
  /** Calls this host does not serve itself but relays (a mod-only process relays polity.sys.* to sys). */
  forward?: { handle(req: Req, res: Res): boolean; close(): Promise<void> };
  /** The job queue whose depth /metrics reports (on the admin listener). */
  jobs?: QueueDepthSource;
}

const webRoot = join(import.meta.dirname, "..", "..", "web", "dist");

export async function startHost({ config, logger, tiers, ports, concerns = [], forward, jobs }: HostPlan): Promise<Host> {
  const { authorization, verifier } = ports;
  const stops: Array<() => Promise<void>> = [];
  const registrations: ServiceRegistration[] = [];
  const moduleRoutes: HttpRoute[] = [];
  const metrics = createMetrics();
  if (jobs) metrics.observeQueues(jobs);
  for (const metric of authorization.metrics ?? []) metrics.registry.registerMetric(metric);
  let state: HostState = "starting";
  const draining = () => state === "draining";
  // First, so a busy admin port fails the start before any module runs, and probes answer (not ready) meanwhile.
  const probes = createProbeRoutes({ state: () => state, databases: tiers.map((t) => t.db), authorization });
  const admin = await startAdminListener({ config, logger, routes: { "/metrics": metrics.handleHttp, ...probes } });
  const clientAddress = createClientAddress(config);
  let routeModules: ReturnType<typeof createModuleRouter>;
  // Modules learn the server's URL (to call their own port) once it listens.
  let listening: string | undefined;
  const selfUrl = () => {
    if (!listening) throw new Error("the server is not listening yet");
    return listening;
  };
  try {
    for (const tier of tiers) {
      tier.context.selfUrl = selfUrl;
      tier.context.metrics = metrics.registry;
      const serve = tier.serve ?? true;
      for (const module of tier.modules) {
        if (serve) {
          registrations.push(...module.services(tier.context));
          moduleRoutes.push(...(module.routes?.({ ...tier.context, selfUrl }) ?? []));
        }
        await module.start?.(tier.context);
        if (module.stop) stops.push(() => module.stop!());
      }
    }
    // Every module has started (ports between modules are ready) before any background work begins.
    for (const tier of tiers) {
      if (!tier.work) continue;
      for (const module of tier.modules) await module.work?.(tier.context);
    }
    routeModules = createModuleRouter({
      routes: moduleRoutes,
      logger,
      limits: { maxBytes: config.webhookMaxBytes, timeoutMs: config.requestBodyTimeoutMs },
      clientAddress,
      count: metrics.countHttp,
    });
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await admin.drain(0);
    throw error;
  }

  const health = createHealth({ upstream: ports.upstreamHealth });
  const tierServices = registrations.map((r) => r.desc);
  const reflection = createReflection([...tierServices, health.service.desc]);
  const operational = new Set<DescService>([health.service.desc, ...reflection.map((r) => r.desc)]);
  const all = [...registrations, health.service, ...reflection];
  const rules = readRules(all.map((r) => r.desc), (service) => operational.has(service));
  const domain = domainMetricsOf(metrics.registry);
  const guard = createGuard({
    rules, verifier, authorization, rateLimit: createRateLimit(config), exempt: (service) => operational.has(service),
    adminNetworks: createAdminNetworkCheck(config.adminAllowedNetworks),
    onDecision: (decision) => domain.authorizationDecision(decision.allowed, decision.cached ? "cache" : "engine"),
  });
  // Outermost first: extra concerns (tracing) see everything; the call log and metrics see the guard's answer.
  const pipeline = [...concerns, createCallLogConcern(logger), metrics.concern, createValidationConcern(createMessageValidator()), createGuardConcern(guard)];
  const staticFiles = config.serveWeb ? createStaticFiles(webRoot) : undefined;
  const grpcWebText = createGrpcWebTextAdapter({ logger }); // base64 gRPC-Web, decoded in front of every path below
  const rpc = createRpcHandler({
    services: applyConcerns(all, pipeline),
    maxMessageBytes: config.maxMessageBytes,
    clientAddress,
    fallback: (req, res) => {
      if (staticFiles?.(req, res as never)) return;
      res.statusCode = 404;
      res.setHeader("content-type", "text/plain");
      res.end("not found\n");
    },
  });

  // The probes stay on the public port too (load balancers probe there); /metrics is only on the admin listener.
  const routes: Record<string, GetRoute> = { ...ports.routes, ...probes, "/metrics": metricsElsewhere };
  const server: RunningServer = await startServer({ config, logger, routes, rpc: function serve(req, res) {
      if (routeModules(req, res)) return;
      if (grpcWebText(req, res, serve)) return;
      if (forward?.handle(req, res)) return;
      rpc(req, res);
    } }).catch(async (error: unknown) => {
    await admin.drain(0);
    throw error;
  });
  state = "serving";

  listening = server.url;

  // Health follows what the tier can actually do: a mod process that cannot reach sys is NOT_SERVING.
  const refreshHealth = () => {
    const serving = !draining() && authorization.isAvailable();
    health.setAll(serving ? Status.SERVING : Status.NOT_SERVING);
  };
  for (const desc of tierServices) health.setStatus(desc.typeName, Status.SERVING);
  refreshHealth();
  const healthTimer = setInterval(refreshHealth, 500);
  healthTimer.unref();

  logger.info({ url: server.url, adminUrl: admin.url, tiers: config.tiers, services: tierServices.map((s) => s.typeName) }, "polityd serving");
  return {
    url: server.url,
    port: server.port,
    adminUrl: admin.url,
    async stop() {
      state = "draining";
      clearInterval(healthTimer);
      health.setAll(Status.NOT_SERVING);
      try {
        await server.drain(config.shutdownGraceMs);
        health.shutdown();
        await forward?.close();
        for (const stop of stops.reverse()) await stop();
        await ports.close?.();
        await authorization.close?.();
        for (const tier of [...tiers].reverse()) {
          await tier.stop?.();
          await tier.db.close();
        }
      } finally {
        // Last: scrapes and probes see the drain through (/readyz answers 503 from its start).
        await admin.drain(Math.min(config.shutdownGraceMs, 1000));
      }
      logger.info("polityd stopped");
    },
  };
}
