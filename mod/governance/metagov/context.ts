// What every Metagov route shares: the clients of this server's API, the caller's credentials, the community
// names and the plugin catalogue.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { Plugin } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { RouteRequest, RouteResponse } from "../../../sys/core/http/route.js";
import { actingAs, type MetagovClients } from "./clients.js";
import type { Caller, CallerOf } from "./credentials.js";
import type { CommunityDirectory } from "./communities.js";
import { answering } from "./errors.js";

export interface MetagovContext {
  logger: Logger;
  clients: () => MetagovClients;
  callerOf: CallerOf;
  communities: CommunityDirectory;
}

export async function pluginCatalogue(ctx: MetagovContext, caller: Caller): Promise<Plugin[]> {
  return (await ctx.clients().governance.listPlugins({}, actingAs(caller.accessToken))).plugins;
}

/**
 * A handler that needs credentials (401 without), answered as JSON errors. A token sys refuses (its key was
 * revoked, its session ended) is dropped from the cache, so the next request exchanges the key again.
 */
export function asCaller(ctx: MetagovContext, handler: (request: RouteRequest, caller: Caller) => Promise<RouteResponse>) {
  return answering(ctx.logger, async (request) => {
    const caller = (await ctx.callerOf(request))!;
    try {
      return await handler(request, caller);
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.Unauthenticated) ctx.callerOf.forget(caller);
      throw error;
    }
  });
}
