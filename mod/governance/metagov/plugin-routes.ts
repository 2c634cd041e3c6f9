// Metagov v2's plugin resource: enable (or reconfigure) one plugin in the community of X-Metagov-Community,
// disable an instance by id, and read a plugin's metadata or every plugin's config schema.
import type { PluginInstance } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { Community } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { HttpError, type HttpRoute, type RouteRequest, type RouteResponse } from "../../../sys/core/http/route.js";
import { readJsonObject } from "./body.js";
import { actingAs } from "./clients.js";
import { COMMUNITY_HEADER } from "./communities.js";
import { asCaller, type MetagovContext, pluginCatalogue } from "./context.js";
import type { Caller } from "./credentials.js";
import { notFoundIsBadRequest } from "./errors.js";
import { pluginJson, pluginMetadata, schema } from "./shapes.js";

export function pluginRoutes(ctx: MetagovContext): HttpRoute[] {
  const { clients, communities } = ctx;
  const withCaller = (handler: (request: RouteRequest, caller: Caller) => Promise<RouteResponse>) => asCaller(ctx, handler);
  const instancesOf = async (caller: Caller, communityId: string) =>
    (await clients().governance.listCommunityPlugins({ communityId }, actingAs(caller.accessToken))).instances;

  /** The instance with this id: in the header's community, else in any community of the caller's org. */
  const findInstance = async (request: RouteRequest, caller: Caller): Promise<{ instance: PluginInstance; community: Community } | undefined> => {
    const id = request.params.id!;
    const candidates: Community[] = [];
    if (request.headers[COMMUNITY_HEADER]) candidates.push(await communities.fromHeader(caller, request));
    else for await (const community of communities.all(caller)) candidates.push(community);
    for (const community of candidates) {
      const instance = (await instancesOf(caller, community.id)).find((i) => i.id === id && i.enabled);
      if (instance) return { instance, community };
    }
    return undefined;
  };

  return [
    {
      method: "POST",
      path: "/api/internal/plugin/:name",
      handler: withCaller(async (request, caller) => {
        const community = await communities.fromHeader(caller, request);
        const name = request.params.name!;
        const config = await readJsonObject(request);
        const as = actingAs(caller.accessToken);
        // Metagov keeps one instance per plugin and community: a second POST reconfigures it.
        const current = (await instancesOf(caller, community.id)).find((i) => i.plugin === name && i.enabled && i.platformId === "");
        const reply = current
          ? await clients().governance.updatePlugin({ communityId: community.id, instanceId: current.id, config }, as)
          : await notFoundIsBadRequest(clients().governance.enablePlugin({ communityId: community.id, plugin: name, config }, as));
        const plugin = (await pluginCatalogue(ctx, caller)).find((p) => p.name === name);
        return { status: current ? 200 : 201, body: pluginJson(reply.instance!, community.slug, plugin) };
      }),
    },
    {
      method: "DELETE",
      path: "/api/internal/plugin/:name/:id",
      handler: withCaller(async (request, caller) => {
        const found = await findInstance(request, caller);
        if (!found || found.instance.plugin !== request.params.name) throw new HttpError(404, "Plugin not found");
        await clients().governance.disablePlugin({ communityId: found.community.id, instanceId: found.instance.id }, actingAs(caller.accessToken));
        return { status: 204 };
      }),
    },
    {
      method: "GET",
      path: "/api/internal/plugin/:name/metadata",
      handler: withCaller(async (request, caller) => {
        const plugin = (await pluginCatalogue(ctx, caller)).find((p) => p.name === request.params.name);
        if (!plugin) throw new HttpError(400, `No such plugin: ${request.params.name}`);
        return { status: 200, body: pluginMetadata(plugin) };
      }),
    },
    {
      method: "GET",
      path: "/api/internal/plugin-schemas",
      handler: withCaller(async (_request, caller) => {
        const plugins = await pluginCatalogue(ctx, caller);
        return { status: 200, body: Object.fromEntries(plugins.map((p) => [p.name, schema(p.configSchema)])) };
      }),
    },
  ];
}
