// The Metagov-compatible HTTP API (metagov-prototype's v1 paths, the gateway's v2 plugin and identity paths) as
// plain routes of the governance module. Each route maps onto GovernanceService (and sys's community, account,
// identity and auth services) called over this server's own port with the caller's credentials, so
// authorization, audit, rate limits and the activity log are exactly those of the gRPC API.
import type { Logger } from "pino";
import type { Config } from "../../../sys/core/config.js";
import type { HttpRoute } from "../../../sys/core/http/route.js";
import { actionRoutes } from "./action-routes.js";
import { createMetagovClients } from "./clients.js";
import { createCommunityDirectory } from "./communities.js";
import { communityRoutes } from "./community-routes.js";
import type { MetagovContext } from "./context.js";
import { createCallerOf } from "./credentials.js";
import { identityRoutes } from "./identity-routes.js";
import { pluginRoutes } from "./plugin-routes.js";
import { processRoutes } from "./process-routes.js";

export interface MetagovRoutesOptions {
  config: Config;
  logger: Logger;
  /** The server's own base URL; called at the first request, once the port listens. */
  selfUrl: () => string;
}

export function createMetagovRoutes({ config, logger, selfUrl }: MetagovRoutesOptions): HttpRoute[] {
  const clients = createMetagovClients(selfUrl);
  const log = logger.child({ api: "metagov" });
  const ctx: MetagovContext = { logger: log, clients, callerOf: createCallerOf(config, log, clients), communities: createCommunityDirectory(clients) };
  return [...communityRoutes(ctx), ...actionRoutes(ctx), ...processRoutes(ctx), ...pluginRoutes(ctx), ...identityRoutes(ctx)];
}
