// The plain-HTTP probes, for orchestrators and load balancers that do not speak gRPC health:
// - /healthz: the process is alive (its event loop answers). Never depends on sys or a database, so a process
//   that only waits for them is not restarted for it.
// - /readyz: the process is ready to serve: started (its databases open and migrated, its modules running), not
//   draining, its databases answering, and — for a process without sys — sys reachable (the authorization
//   port's own probe, as gRPC health reports it). 503 with the reasons otherwise.
import type { Database } from "./db.js";
import type { AuthorizationPort } from "./ports/authorization-port.js";
import type { GetRoute } from "./server.js";

export type HostState = "starting" | "serving" | "draining";

export interface ReadinessOptions {
  state: () => HostState;
  databases: Database[];
  authorization: Pick<AuthorizationPort, "isAvailable">;
  /** How long a database may take to answer `select 1` before it counts as down. */
  pingTimeoutMs?: number;
}

/** Probes come often and from several places: one database round trip per tier serves them all for this long. */
const PING_CACHE_MS = 1000;

export function createProbeRoutes({ state, databases, authorization, pingTimeoutMs = 2000 }: ReadinessOptions): Record<"/healthz" | "/readyz", GetRoute> {
  let pinging: { at: number; down: Promise<string[]> } | undefined;
  const downDatabases = () => {
    if (!pinging || Date.now() - pinging.at > PING_CACHE_MS) pinging = { at: Date.now(), down: pingAll() };
    return pinging.down;
  };
  async function pingAll(): Promise<string[]> {
    const answers = await Promise.all(databases.map((db) => ping(db, pingTimeoutMs)));
    return databases.filter((_, i) => !answers[i]).map((db) => `database ${db.tier} is not answering`);
  }

  async function problems(): Promise<string[]> {
    const now = state();
    if (now !== "serving") return [now === "starting" ? "starting" : "draining"];
    const found = [...(await downDatabases())]; // a copy: the cached list is shared by probes
    if (!authorization.isAvailable()) found.push("sys is unreachable");
    return found;
  }

  return {
    "/healthz": (_req, res) => {
      res.statusCode = 200;
      res.setHeader("content-type", "text/plain");
      res.end("SERVING\n");
    },
    "/readyz": async (_req, res) => {
      const found = await problems();
      res.statusCode = found.length === 0 ? 200 : 503;
      res.setHeader("content-type", "text/plain");
      res.setHeader("cache-control", "no-store");
      res.end(found.length === 0 ? "READY\n" : `NOT_READY: ${found.join("; ")}\n`);
    },
  };
}

async function ping(db: Database, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([db.em().getConnection().execute("select 1").then(() => true as const), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
