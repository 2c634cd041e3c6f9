// A mod-only process answers every client through one URL: calls to sys services (and the JWKS) are relayed to
// sys (relay.ts); a sys that cannot be reached is UNAVAILABLE (SYS_UNAVAILABLE) in the caller's protocol.
import type { Tracer } from "@opentelemetry/api";
import type { Forwarder } from "./forwarder.js";
import { createRelay } from "./relay.js";
import { ROUTES, type Route, tierOf } from "./routing-table.js";
import { sysUnreachable } from "./unavailable.js";
import type { UpstreamSessionOptions } from "./upstream-session.js";

export type SysForwarder = Forwarder;

export interface SysForwarderOptions extends Omit<UpstreamSessionOptions, "url" | "name"> {
  sysUrl: string;
  /** Which paths go to sys (default: the routing table's sys entries). */
  routes?: readonly Route[];
  /** When tracing is on: a client span per relayed call, its context sent to sys. */
  tracer?: Tracer;
}

export function createSysForwarder(options: SysForwarderOptions): SysForwarder {
  const { routes = ROUTES, sysUrl, ...rest } = options;
  const relay = createRelay({ ...rest, url: sysUrl, name: "sys", unreachable: sysUnreachable });
  return {
    handle(req, res) {
      if (tierOf(req.url ?? "/", routes) !== "sys") return false;
      relay.forward(req, res);
      return true;
    },
    close: () => relay.close(),
  };
}
