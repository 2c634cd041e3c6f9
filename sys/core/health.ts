// grpc.health.v1.Health, as load balancers and Kubernetes probes expect it
// (https://github.com/grpc/grpc/blob/master/doc/health-checking.md).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
} from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { service, type ServiceRegistration } from "./module.js";

export { ServingStatus };

export interface HealthService {
  service: ServiceRegistration;
  /** Sets one service's status; "" is the server as a whole. */
  setStatus(serviceName: string, status: ServingStatus): void;
  /** Sets every known service, and the server as a whole, to one status (e.g. NOT_SERVING while draining). */
  setAll(status: ServingStatus): void;
  /** Ends every open Watch so the server can close its connections. */
  shutdown(): void;
}

/** Another process's statuses to list beside this one's (a mod-only process lists its sys's); throws when unreachable. */
export type UpstreamHealth = () => Promise<Record<string, ServingStatus>>;

export function createHealth(options: { upstream?: UpstreamHealth } = {}): HealthService {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  // One wake-up function per open Watch; each re-reads the map when woken.
  const watchers = new Set<() => void>();
  const stopped = new AbortController();

  const notify = () => {
    for (const wake of watchers) wake();
  };
  const reply = (status: ServingStatus): HealthCheckResponse => create(HealthCheckResponseSchema, { status });
  let upstreamNames: string[] = [];
  async function listUpstream(): Promise<[string, ServingStatus][]> {
    if (!options.upstream) return [];
    try {
      const found = Object.entries(await options.upstream()).filter(([name]) => name !== "");
      upstreamNames = found.map(([name]) => name);
      return found;
    } catch {
      return upstreamNames.map((name) => [name, ServingStatus.NOT_SERVING]);
    }
  }

  async function* watch(serviceName: string, ctx: HandlerContext): AsyncGenerator<HealthCheckResponse> {
    const signal = AbortSignal.any([ctx.signal, stopped.signal]);
    let last: ServingStatus | undefined;
    for (;;) {
      const current = statuses.get(serviceName) ?? ServingStatus.SERVICE_UNKNOWN;
      // Only changes are sent, as the spec asks; setStatus with the same value wakes but sends nothing.
      // On shutdown the final NOT_SERVING still goes out before the stream ends.
      if (current !== last) {
        last = current;
        yield reply(current);
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          watchers.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        watchers.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  const impl = service(Health, {
    check(req) {
      const status = statuses.get(req.service);
      if (status === undefined) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return reply(status);
    },
    watch(req, ctx) {
      return watch(req.service, ctx);
    },
    // List (what the admin console shows) names every service the deployment serves: a mod-only process adds its
    // sys's, as NOT_SERVING while sys cannot be reached. Check and Watch stay this process's own (probes).
    async list() {
      const all = new Map(await listUpstream());
      for (const [name, status] of statuses) all.set(name, status);
      return { statuses: Object.fromEntries([...all].map(([name, status]) => [name, reply(status)])) };
    },
  });

  return {
    service: impl,
    setStatus(serviceName, status) {
      statuses.set(serviceName, status);
      notify();
    },
    setAll(status) {
      for (const name of statuses.keys()) statuses.set(name, status);
      notify();
    },
    shutdown() {
      for (const name of statuses.keys()) statuses.set(name, ServingStatus.NOT_SERVING);
      stopped.abort();
    },
  };
}
