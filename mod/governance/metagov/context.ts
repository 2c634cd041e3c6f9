// What every Metagov route shares: the clients of this server's API, the caller's credentials, the community
// names and the plugin catalogue.
import type { Logger } from "pino";
import type { Plugin } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { actingAs, type MetagovClients } from "./clients.js";
import type { Caller, CallerOf } from "./credentials.js";
import type { CommunityDirectory } from "./communities.js";

export interface MetagovContext {
  logger: Logger;
  clients: () => MetagovClients;
  callerOf: CallerOf;
  communities: CommunityDirectory;
}

export async function pluginCatalogue(ctx: MetagovContext, caller: Caller): Promise<Plugin[]> {
  return (await ctx.clients().governance.listPlugins({}, actingAs(caller.accessToken))).plugins;
}
