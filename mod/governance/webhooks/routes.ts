// The incoming-webhook paths on the one port. The body is read raw (within the configured size and time
// limits) and handed to receive.ts before anything parses it.
import type { WebhookOutcome } from "../../../sys/core/domain-metrics.js";
import { HttpError, type HttpRoute, type RouteRequest } from "../../../sys/core/http/route.js";
import type { GovernanceDeps } from "../deps.js";
import { type HookTarget, receiveWebhook } from "./receive.js";

export function createWebhookRoutes(deps: () => GovernanceDeps): HttpRoute[] {
  const handle = (target: (params: Record<string, string>) => HookTarget) => async (request: RouteRequest) => {
    const hook = target(request.params);
    // The path names the plugin: only a registered name becomes a label value, whatever a sender makes up.
    const plugin = deps().registry.list().some((p) => p.name === hook.plugin) ? hook.plugin : "unknown";
    let outcome: WebhookOutcome = "error";
    try {
      const rawBody = await request.readBody();
      const answer = await receiveWebhook(deps(), hook, { headers: request.headers, rawBody, query: request.query });
      outcome = outcomeOf(answer.status);
      return { status: answer.status, body: answer.body };
    } catch (error) {
      // A body too large or too slow is the sender's; anything else is ours.
      if (error instanceof HttpError && error.status < 500) outcome = outcomeOf(error.status);
      throw error;
    } finally {
      deps().metrics?.webhookReceived(plugin, outcome);
    }
  };
  return [
    { method: "POST", path: "/api/hooks/:community/:plugin/:instance", handler: handle((p) => ({ communityId: p.community, plugin: p.plugin, instanceId: p.instance })) },
    { method: "POST", path: "/api/hooks/:community/:plugin", handler: handle((p) => ({ communityId: p.community, plugin: p.plugin })) },
    // Platform-wide (one app serving many communities): the plugin finds the platform id in the delivery.
    { method: "POST", path: "/api/hooks/:plugin", handler: handle((p) => ({ plugin: p.plugin })) },
  ];
}

function outcomeOf(status: number): WebhookOutcome {
  if (status < 300) return "accepted";
  if (status === 401) return "unauthorized";
  if (status === 404) return "not_found";
  return "invalid";
}
