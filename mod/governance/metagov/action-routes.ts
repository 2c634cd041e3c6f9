// Metagov's actions: POST /api/internal/action/<plugin>.<slug> in the community named by X-Metagov-Community,
// and the public variant under /api/action/, which runs without credentials (the community may then be given
// by its id, since naming one needs an org to look in).
import { HttpError, type HttpRoute, type RouteRequest } from "../../../sys/core/http/route.js";
import { objectField, readJsonObject } from "./body.js";
import { actingAs } from "./clients.js";
import { COMMUNITY_HEADER } from "./communities.js";
import { asCaller, type MetagovContext } from "./context.js";
import { answering, notFoundIsBadRequest } from "./errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function actionRoutes(ctx: MetagovContext): HttpRoute[] {
  const { clients, communities } = ctx;
  const result = (value: unknown) => (value === undefined ? { status: 200 } : { status: 200, body: value });

  const publicCommunityId = async (request: RouteRequest) => {
    const header = request.headers[COMMUNITY_HEADER]?.trim();
    if (header && UUID.test(header)) return header.toLowerCase();
    const caller = await ctx.callerOf(request, { optional: true });
    if (!caller) throw new HttpError(400, `without credentials, ${COMMUNITY_HEADER} must be the community's id`);
    return (await communities.fromHeader(caller, request)).id;
  };

  return [
    {
      method: "POST",
      path: "/api/internal/action/:action",
      handler: asCaller(ctx, async (request, caller) => {
        const community = await communities.fromHeader(caller, request);
        const parameters = objectField(await readJsonObject(request), "parameters") ?? {};
        const reply = await notFoundIsBadRequest(clients().governance.runAction({ communityId: community.id, action: request.params.action!, parameters }, actingAs(caller.accessToken)));
        return result(reply.result);
      }),
    },
    {
      method: "POST",
      path: "/api/action/:action",
      handler: answering(ctx.logger, async (request) => {
        const communityId = await publicCommunityId(request);
        const parameters = objectField(await readJsonObject(request), "parameters") ?? {};
        const reply = await notFoundIsBadRequest(clients().governance.runPublicAction({ communityId, action: request.params.action!, parameters }));
        return result(reply.result);
      }),
    },
  ];
}
