// One mod URL for every module when modules run in processes of their own (`--modules`): a call to a module this
// process does not serve — its gRPC services on every protocol, its webhooks and HTTP routes — is relayed to the
// process `moduleUrls` names for it (relay.ts), which authenticates, authorizes and logs it itself. A module
// that cannot be reached is UNAVAILABLE (MODULE_UNAVAILABLE); a module with no URL stays UNIMPLEMENTED here.
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { type Forwarder, pathOf } from "./forwarder.js";
import { createRelay } from "./relay.js";
import { moduleUnreachable } from "./unavailable.js";
import type { UpstreamSessionOptions } from "./upstream-session.js";

/**
 * Marks a call relayed to a module's process. Such a call is answered where it arrives and never relayed again,
 * so a map that points a module back at a process without it answers UNIMPLEMENTED instead of looping.
 */
export const FORWARDED_MODULE_HEADER = "polity-forwarded-module";

export interface ModuleTarget {
  module: string;
  url: string;
  /** The request paths the module answers (prefixes). */
  prefixes: readonly string[];
}

export interface ModuleForwarderOptions extends Pick<UpstreamSessionOptions, "connectTimeoutMs" | "tls"> {
  targets: readonly ModuleTarget[];
  logger: Logger;
  tracer?: Tracer;
}

export function createModuleForwarder({ targets, ...options }: ModuleForwarderOptions): Forwarder {
  const relays = targets.map((target) => ({
    prefixes: target.prefixes,
    relay: createRelay({
      ...options,
      url: target.url,
      name: `the ${target.module} module`,
      unreachable: () => moduleUnreachable(target.module),
      extraHeaders: { [FORWARDED_MODULE_HEADER]: target.module },
    }),
  }));
  return {
    handle(req, res) {
      if (req.headers[FORWARDED_MODULE_HEADER] !== undefined) return false;
      const path = pathOf(req);
      const target = relays.find((r) => r.prefixes.some((prefix) => path.startsWith(prefix)));
      if (!target) return false;
      target.relay.forward(req, res);
      return true;
    },
    close: () => Promise.all(relays.map((r) => r.relay.close())).then(() => undefined),
  };
}
