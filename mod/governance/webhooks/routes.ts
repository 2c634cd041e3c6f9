// The incoming-webhook paths on the one port. The body is read raw (within the configured size and time
// limits) and handed to receive.ts before anything parses it.
import type { HttpRoute, RouteRequest } from "../../../sys/core/http/route.js";
import type { GovernanceDeps } from "../deps.js";
import { type HookTarget, receiveWebhook } from "./receive.js";

export function createWebhookRoutes(deps: () => GovernanceDeps): HttpRoute[] {
  const handle = (target: (params: Record<string, string>) => HookTarget) => async (request: RouteRequest) => {
    const rawBody = await request.readBody();
    const answer = await receiveWebhook(deps(), target(request.params), { headers: request.headers, rawBody, query: request.query });
    return { status: answer.status, body: answer.body };
  };
  return [
    { method: "POST", path: "/api/hooks/:community/:plugin/:instance", handler: handle((p) => ({ communityId: p.community, plugin: p.plugin, instanceId: p.instance })) },
    { method: "POST", path: "/api/hooks/:community/:plugin", handler: handle((p) => ({ communityId: p.community, plugin: p.plugin })) },
    // Platform-wide (one app serving many communities): the plugin finds the platform id in the delivery.
    { method: "POST", path: "/api/hooks/:plugin", handler: handle((p) => ({ plugin: p.plugin })) },
  ];
}
