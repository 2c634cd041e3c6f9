// Metagov v1's community resource: PUT creates or reconfigures (the plugin list is the whole truth), GET reads,
// DELETE disables every plugin and archives; and the listings of its hooks, actions, processes and events.
import type { JsonObject } from "@bufbuild/protobuf";
import { JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { HttpError, type HttpRoute, type RouteRequest, type RouteResponse } from "../../../sys/core/http/route.js";
import { isObject, readJsonObject, stringField } from "./body.js";
import { actingAs } from "./clients.js";
import { asCaller, type MetagovContext, pluginCatalogue } from "./context.js";
import type { Caller } from "./credentials.js";
import { notFoundIsBadRequest } from "./errors.js";
import { actionSchemas, communityJson, eventSchemas, processSchemas } from "./shapes.js";

const PATH = "/api/internal/community/:name";

export function communityRoutes(ctx: MetagovContext): HttpRoute[] {
  const { clients, communities } = ctx;
  const route = (method: HttpRoute["method"], path: string, handler: (request: RouteRequest, caller: Caller) => Promise<RouteResponse>): HttpRoute => ({
    method,
    path,
    handler: asCaller(ctx, handler),
  });
  const existing = async (caller: Caller, name: string) => {
    const community = await communities.find(caller, name);
    if (!community) throw new HttpError(404, `Community '${name}' not found`);
    return community;
  };
  const enabledPlugins = async (caller: Caller, communityId: string) =>
    (await clients().governance.listCommunityPlugins({ communityId }, actingAs(caller.accessToken))).instances.filter((i) => i.enabled);

  const listing = (suffix: string, key: string, describe: (plugin: Parameters<typeof actionSchemas>[0]) => unknown[]) =>
    route("GET", `${PATH}/${suffix}`, async (request, caller) => {
      const community = await existing(caller, request.params.name!);
      const enabled = new Set((await enabledPlugins(caller, community.id)).map((i) => i.plugin));
      const plugins = (await pluginCatalogue(ctx, caller)).filter((p) => enabled.has(p.name));
      return { status: 200, body: { [key]: plugins.flatMap(describe) } };
    });

  return [
    route("PUT", PATH, async (request, caller) => {
      const name = request.params.name!;
      const body = await readJsonObject(request);
      const bodyName = stringField(body, "name");
      if (bodyName !== undefined && bodyName !== name) throw new HttpError(400, `Expected name ${name}, found ${bodyName}`);
      const readableName = stringField(body, "readable_name");
      const plugins = pluginList(body);
      const as = actingAs(caller.accessToken);
      let community = await communities.find(caller, name, { includeArchived: true });
      let created = false;
      if (!community) {
        const orgId = await communities.orgOf(caller);
        const title = readableName || name;
        community = (await clients().communities.createCommunity({ orgId, slug: name, name: title, visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.INVITE }, as)).community!;
        created = true;
      } else {
        if (community.archived) community = (await clients().communities.unarchiveCommunity({ communityId: community.id }, as)).community!;
        if (readableName && readableName !== community.name) {
          const update = { community: { ...community, name: readableName }, updateMask: { paths: ["name"] }, etag: community.etag };
          community = (await clients().communities.updateCommunity(update, as)).community!;
        }
      }
      const { instances } = await notFoundIsBadRequest(clients().governance.setCommunityPlugins({ communityId: community.id, plugins }, as));
      return { status: created ? 201 : 200, body: communityJson(name, community.name, instances) };
    }),
    route("GET", PATH, async (request, caller) => {
      const community = await existing(caller, request.params.name!);
      return { status: 200, body: communityJson(community.slug, community.name, await enabledPlugins(caller, community.id)) };
    }),
    route("DELETE", PATH, async (request, caller) => {
      const community = await existing(caller, request.params.name!);
      const as = actingAs(caller.accessToken);
      await clients().governance.setCommunityPlugins({ communityId: community.id, plugins: [] }, as);
      await clients().communities.archiveCommunity({ communityId: community.id }, as);
      return { status: 204 };
    }),
    route("GET", `${PATH}/hooks`, async (request, caller) => {
      const community = await existing(caller, request.params.name!);
      const { hooks } = await clients().governance.listHooks({ communityId: community.id }, actingAs(caller.accessToken));
      // Metagov's paths name the community; Polity's name it by id, since a slug is unique only within its org.
      // Drivers take the paths from this listing, so they work as given.
      return { status: 200, body: { hooks } };
    }),
    listing("actions", "actions", actionSchemas),
    listing("processes", "processes", processSchemas),
    listing("events", "events", eventSchemas),
  ];
}

function pluginList(body: JsonObject) {
  const plugins = body.plugins ?? [];
  if (!Array.isArray(plugins)) throw new HttpError(400, '"plugins" must be a list');
  return plugins.map((entry, index) => {
    if (!isObject(entry) || typeof entry.name !== "string") throw new HttpError(400, `plugins[${index}] must be an object with a "name"`);
    const config = entry.config ?? {};
    if (!isObject(config)) throw new HttpError(400, `plugins[${index}].config must be a JSON object`);
    return { plugin: entry.name, config };
  });
}
