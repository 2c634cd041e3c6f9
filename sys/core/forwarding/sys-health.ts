// What a mod-only process's Health.List adds: its sys's own list, asked over a connection of its own that is
// closed after each answer (the admin console asks rarely; load-balancer probes use Check, never this).
// Health needs no credential, so one answer serves every List for a second and concurrent Lists share one
// request: a flood of Lists at mod does not become a flood of connections to sys.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";
import type { ServingStatus, UpstreamHealth } from "../health.js";

export function createSysHealthList(sysUrl: string, options: { timeoutMs?: number; reuseMs?: number } = {}): UpstreamHealth {
  const { timeoutMs = 2000, reuseMs = 1000 } = options;
  let last: { at: number; answer: Promise<Record<string, ServingStatus>> } | undefined;

  async function ask(): Promise<Record<string, ServingStatus>> {
    const session = new Http2SessionManager(sysUrl);
    try {
      const health = createClient(Health, createGrpcTransport({ baseUrl: sysUrl, sessionManager: session }));
      const { statuses } = await health.list({}, { timeoutMs });
      return Object.fromEntries(Object.entries(statuses).map(([name, r]) => [name, r.status as ServingStatus]));
    } finally {
      session.abort();
    }
  }

  return () => {
    if (!last || Date.now() - last.at > reuseMs) {
      const entry = { at: Date.now(), answer: ask() };
      // A failed answer is not reused: the next List asks again (sys may be back).
      entry.answer.catch(() => (last === entry ? (last = undefined) : undefined));
      last = entry;
    }
    return last.answer;
  };
}
