// Metagov's governance processes: POST starts one (202 with its Location), GET polls it, DELETE closes it.
// Metagov polls without naming the community, so a process is found through the X-Metagov-Community header
// when given, else through the processes this API started, else by asking each community of the caller's org.
import { type Process, ProcessStatus } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { Community } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { HttpError, type HttpRoute, type RouteRequest, type RouteResponse } from "../../../sys/core/http/route.js";
import { readJsonObject } from "./body.js";
import { actingAs } from "./clients.js";
import { COMMUNITY_HEADER } from "./communities.js";
import { asCaller, type MetagovContext } from "./context.js";
import type { Caller } from "./credentials.js";
import { notFoundIsBadRequest } from "./errors.js";
import { processJson } from "./shapes.js";
import { Code, ConnectError } from "@connectrpc/connect";

const PATH = "/api/internal/process/:process";
const REMEMBERED = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function processRoutes(ctx: MetagovContext): HttpRoute[] {
  const { clients, communities } = ctx;
  const started = new Map<string, string>(); // process id → community id, for polls without the header

  const remember = (processId: string, communityId: string) => {
    if (started.size >= REMEMBERED) started.delete(started.keys().next().value!);
    started.set(processId, communityId);
  };

  const tryGet = async (caller: Caller, communityId: string, processId: string): Promise<Process | undefined> => {
    try {
      return (await clients().governance.getProcess({ communityId, processId }, actingAs(caller.accessToken))).process;
    } catch (error) {
      if (error instanceof ConnectError && (error.code === Code.NotFound || error.code === Code.PermissionDenied)) return undefined;
      throw error;
    }
  };

  /** The process at this path and its community, or a 404. */
  const locate = async (request: RouteRequest, caller: Caller): Promise<{ process: Process; community: Community }> => {
    const processId = request.params.id!;
    const notFound = new HttpError(404, "Process not found");
    if (!UUID.test(processId)) throw notFound;
    const candidates: Community[] = [];
    if (request.headers[COMMUNITY_HEADER]) candidates.push(await communities.fromHeader(caller, request));
    else {
      for await (const community of communities.all(caller)) {
        if (community.id === started.get(processId)) candidates.unshift(community);
        else candidates.push(community);
      }
    }
    for (const community of candidates) {
      const process = await tryGet(caller, community.id, processId);
      if (!process) continue;
      if (process.name !== request.params.process) throw notFound;
      return { process, community };
    }
    throw notFound;
  };

  const withCaller = (handler: (request: RouteRequest, caller: Caller) => Promise<RouteResponse>) => asCaller(ctx, handler);

  return [
    {
      method: "POST",
      path: PATH,
      handler: withCaller(async (request, caller) => {
        const community = await communities.fromHeader(caller, request);
        const { callback_url: callbackUrl, ...input } = await readJsonObject(request);
        if (callbackUrl !== undefined && callbackUrl !== null && typeof callbackUrl !== "string") throw new HttpError(400, '"callback_url" must be a string');
        const name = request.params.process!;
        const { process } = await notFoundIsBadRequest(
          clients().governance.startProcess({ communityId: community.id, process: name, input, callbackUrl: callbackUrl ?? "" }, actingAs(caller.accessToken)),
        );
        remember(process!.id, community.id);
        return { status: 202, headers: { location: `/api/internal/process/${name}/${process!.id}` } };
      }),
    },
    {
      method: "GET",
      path: `${PATH}/:id`,
      handler: withCaller(async (request, caller) => {
        const { process, community } = await locate(request, caller);
        return { status: 200, body: processJson(process, community.slug) };
      }),
    },
    {
      method: "DELETE",
      path: `${PATH}/:id`,
      handler: withCaller(async (request, caller) => {
        const { process, community } = await locate(request, caller);
        // As Metagov: closing is for processes still running; CloseProcess itself would answer the final state.
        if (process.status === ProcessStatus.COMPLETED) throw new HttpError(400, "Can't close process, it has already completed");
        const closed = await clients().governance.closeProcess({ communityId: community.id, processId: process.id }, actingAs(caller.accessToken));
        return { status: 200, body: processJson(closed.process!, community.slug) };
      }),
    },
  ];
}
