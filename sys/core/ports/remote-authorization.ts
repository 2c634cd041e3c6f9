// The authorization port of a mod-only process: a Connect gRPC client to sys's AuthzService over one long-lived
// HTTP/2 session. Questions asked in the same event-loop turn travel as one CheckBatch per credential; decisions
// are cached for `ttlMs` (0 disables the cache). When sys cannot be reached every check fails closed with
// Unavailable/SYS_UNAVAILABLE, and a background health probe notices when it is back.
//
// Credentials: each question normally carries the caller's own bearer (the guard forwards it), so sys evaluates
// Check as that caller — every active account may ask about itself, with no secret shared between tiers.
// `credentials` is the fallback for questions without one (a service account's token, e.g. a platform.ops
// service account, which may ask about anyone). Questions about the anonymous principal ("") go with no
// credential at all: sys lets anyone ask about it (allow_anonymous on Check).
//
// sys meters Check/CheckBatch per client address and per question (tierCheckRateLimitPerMinute), so the cache
// matters: an anonymous decision is keyed by the question alone and shared by every anonymous reader for `ttlMs`,
// and identical questions of one turn travel once.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { Health, HealthCheckResponse_ServingStatus } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";
import { AuthzService, type Decision } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { createDecisionCacheMetrics } from "../domain-metrics.js";
import { apiError, reasonOf } from "../errors.js";
import { createClientTracingInterceptor } from "../tracing/client-span.js";
import type { AccessDecision, AccessQuestion, AuthorizationPort } from "./authorization-port.js";

export interface RemoteAuthorizationOptions {
  sysUrl: string;
  ttlMs: number;
  logger: Logger;
  /** Bearer token (with or without the "Bearer " prefix) for questions that carry none. */
  credentials?: () => string | undefined;
  maxCacheEntries?: number;
  probeIntervalMs?: number;
  /** Deadline of one Check/CheckBatch call. */
  timeoutMs?: number;
  /** The cache's clock (tests step it instead of sleeping). */
  now?: () => number;
  /** When tracing is on: a client span per call, its context sent to sys. */
  tracer?: Tracer;
}

interface Pending {
  question: AccessQuestion;
  key: string;
  resolve(decision: AccessDecision): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 1000; // CheckBatchRequest's own limit

export const sysUnavailable = () => apiError(Code.Unavailable, "SYS_UNAVAILABLE", "sys is unreachable; refusing to authorize");

/**
 * connect-node 2.2 destroys a connection that receives GOAWAY with no open streams (sys restarting or draining)
 * with an error Node emits only after the manager has dropped its listeners: an uncaught exception that would
 * crash mod (connectrpc/connect-es#1768, fix pending in #1769). A no-op listener on every session it opens keeps
 * that error where it belongs — the manager still sees the close and reconnects. Remove once the fix ships.
 */
function swallowLateSessionErrors(manager: Http2SessionManager): Http2SessionManager {
  const guarded = new WeakSet<object>();
  const request = manager.request.bind(manager);
  manager.request = async (...args) => {
    const stream = await request(...args);
    const conn = stream.session;
    if (conn && !guarded.has(conn)) {
      guarded.add(conn);
      conn.on("error", () => undefined);
      // connect-es#1795: the keepalive timer can ping a session destroyed a tick earlier, and Node's ping throws
      // ERR_HTTP2_INVALID_SESSION synchronously out of the timer, killing the process. A dead session answers
      // "not sent" instead; the manager then opens a new one on the next call. Remove once #1797 ships.
      const ping = conn.ping.bind(conn) as (...args: unknown[]) => boolean;
      (conn as { ping: (...args: unknown[]) => boolean }).ping = (...args) => (conn.destroyed || conn.closed ? false : ping(...args));
    }
    return stream;
  };
  return manager;
}

/**
 * One long-lived HTTP/2 session to sys and a gRPC transport on it, shared by every call of a port (authorization,
 * directory). Pings detect a dead sys on an idle connection when `keepAlive` is set.
 */
export function createSysTransport(sysUrl: string, keepAlive = true, tracer?: Tracer): { session: Http2SessionManager; transport: Transport } {
  const session = swallowLateSessionErrors(
    new Http2SessionManager(sysUrl, { pingIntervalMs: 10_000, pingTimeoutMs: 5000, pingIdleConnection: keepAlive, idleConnectionTimeoutMs: 24 * 3_600_000 }),
  );
  // gRPC is HTTP/2-only in connect-node v2.
  const interceptors = tracer ? [createClientTracingInterceptor(tracer, sysUrl)] : [];
  return { session, transport: createGrpcTransport({ baseUrl: sysUrl, sessionManager: session, interceptors }) };
}

export function createRemoteAuthorization(options: RemoteAuthorizationOptions): AuthorizationPort {
  const { sysUrl, ttlMs, logger, credentials } = options;
  const maxEntries = options.maxCacheEntries ?? 50_000;
  const probeIntervalMs = options.probeIntervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  // The connection is meant to live for the process.
  const { session, transport } = createSysTransport(sysUrl, true, options.tracer);
  const authz = createClient(AuthzService, transport);
  const health = createClient(Health, transport);

  const cache = new Map<string, { decision: AccessDecision; expires: number }>();
  const cacheMetrics = createDecisionCacheMetrics();
  let pending = new Map<string, Pending[]>(); // by authorization header
  let scheduled = false;
  let available = true;
  let probe: NodeJS.Timeout | undefined;
  let closed = false;

  // The credential is part of the key: sys's answer holds for the token it was asked with. A decision cached
  // for one session must not answer for another session of the same account that was revoked meanwhile, so a
  // revoked token is refused at the latest `ttlMs` after its revocation.
  const keyOf = (q: AccessQuestion, header: string) => `${header}|${q.principalId}|${q.permission}|${q.resource}|${q.allowRestricted ? 1 : 0}`;
  const headerOf = (token: string | undefined) => (!token ? "" : /^bearer\s/i.test(token) ? token : `Bearer ${token}`);
  const toAccess = (d: Decision): AccessDecision => ({
    allowed: d.allowed,
    reason: d.reason,
    ...(d.grantedByRole ? { grantedByRole: d.grantedByRole } : {}),
    ...(d.grantedOnResource ? { grantedOnResource: d.grantedOnResource } : {}),
  });

  function remember(key: string, decision: AccessDecision) {
    if (ttlMs <= 0) return;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!); // oldest first: Map keeps insertion order
    cache.set(key, { decision: { ...decision, cached: true }, expires: now() + ttlMs });
  }

  let lastThrottleWarning = -Infinity;
  function warnThrottled(err: ConnectError) {
    if (Date.now() - lastThrottleWarning < 60_000) return;
    lastThrottleWarning = Date.now();
    logger.warn({ err, sysUrl }, "sys rate-limits this replica's authorization questions; raise tierCheckRateLimitPerMinute on sys or authzCacheTtlMs here");
  }

  function setAvailable(up: boolean) {
    if (up === available) return;
    available = up;
    if (up) logger.info({ sysUrl }, "sys authorization reachable again");
    else logger.warn({ sysUrl }, "sys authorization unreachable; failing closed");
  }

  // The probe runs for the life of the port, so an idle mod process notices a dead or draining sys too (its
  // health turns NOT_SERVING before any call fails) and notices when sys is back.
  function startProbe() {
    probe = setInterval(() => {
      health
        .check({ service: "" }, { timeoutMs: Math.min(timeoutMs, probeIntervalMs) })
        .then((r) => setAvailable(r.status === HealthCheckResponse_ServingStatus.SERVING))
        .catch(() => setAvailable(false));
    }, probeIntervalMs);
    probe.unref();
  }
  startProbe();

  async function send(header: string, group: Pending[]): Promise<void> {
    // Identical questions in one turn share a slot.
    const slots = new Map<string, Pending[]>();
    for (const p of group) slots.set(p.key, [...(slots.get(p.key) ?? []), p]);
    const questions = [...slots.values()].map((ps) => ps[0]!.question);
    const callOptions = { timeoutMs, headers: header ? { authorization: header } : undefined };
    const wire = questions.map((q) => ({ principalId: q.principalId, permission: q.permission, resource: q.resource, allowRestricted: !!q.allowRestricted }));
    let decisions: AccessDecision[];
    try {
      decisions =
        wire.length === 1
          ? [toAccess((await authz.check({ question: wire[0] }, callOptions)).decision!)]
          : (await authz.checkBatch({ questions: wire }, callOptions)).decisions.map(toAccess);
    } catch (error) {
      const ce = ConnectError.from(error);
      if (ce.code === Code.PermissionDenied) {
        // sys refused the caller itself (disabled account, asking about others): that is the answer, uncached.
        setAvailable(true);
        const reason = (reasonOf(ce) ?? "permission_denied").toLowerCase();
        for (const p of group) p.resolve({ allowed: false, reason });
        return;
      }
      if (ce.code === Code.Unauthenticated || ce.code === Code.InvalidArgument) {
        setAvailable(true);
        for (const p of group) p.reject(ce);
        return;
      }
      if (ce.code === Code.ResourceExhausted) {
        // sys metered this replica's questions (tierCheckRateLimitPerMinute): sys is up, and the caller gets
        // RATE_LIMITED with its retry delay rather than a "sys unavailable" that would mark sys down.
        setAvailable(true);
        warnThrottled(ce);
        for (const p of group) p.reject(ce);
        return;
      }
      logger.warn({ err: ce, sysUrl }, "authorization call to sys failed");
      setAvailable(false);
      for (const p of group) p.reject(sysUnavailable());
      return;
    }
    setAvailable(true);
    [...slots.entries()].forEach(([key, ps], i) => {
      const decision = decisions[i] ?? { allowed: false, reason: "sys_unavailable" };
      remember(key, decision);
      for (const p of ps) p.resolve(decision);
    });
  }

  function flush() {
    scheduled = false;
    const groups = pending;
    pending = new Map();
    for (const [header, group] of groups) {
      for (let i = 0; i < group.length; i += MAX_BATCH) void send(header, group.slice(i, i + MAX_BATCH));
    }
  }

  function check(question: AccessQuestion): Promise<AccessDecision> {
    // The anonymous principal is asked about with no credential at all: sys lets anyone ask about it, and
    // answers from what the resource makes public (a public community).
    const header = question.principalId ? headerOf(question.bearer ?? credentials?.()) : "";
    const key = keyOf(question, header);
    const hit = cache.get(key);
    if (hit) {
      if (hit.expires > now()) {
        cacheMetrics.hit();
        return Promise.resolve(hit.decision);
      }
      cache.delete(key);
    }
    cacheMetrics.miss();
    if (closed) return Promise.reject(sysUnavailable());
    return new Promise((resolve, reject) => {
      const group = pending.get(header);
      const entry = { question, key, resolve, reject };
      if (group) group.push(entry);
      else pending.set(header, [entry]);
      if (!scheduled) {
        scheduled = true;
        // Everything asked during this turn of the event loop (all requests read in one I/O phase) goes together.
        setImmediate(flush);
      }
    });
  }

  return {
    check,
    checkBatch: (questions) => Promise.all(questions.map(check)),
    isAvailable: () => available,
    invalidate: () => cache.clear(),
    metrics: cacheMetrics.metrics,
    async close() {
      closed = true;
      clearInterval(probe);
      probe = undefined;
      session.abort();
    },
  };
}
