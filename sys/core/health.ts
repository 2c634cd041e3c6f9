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

export function createHealth(): HealthService {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  // One wake-up function per open Watch; each re-reads the map when woken.
  const watchers = new Set<() => void>();
  const stopped = new AbortController();

  const notify = () => {
    for (const wake of watchers) wake();
  };
  const reply = (status: ServingStatus): HealthCheckResponse => create(HealthCheckResponseSchema, { status });

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
    list() {
      return { statuses: Object.fromEntries([...statuses].map(([name, status]) => [name, reply(status)])) };
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
