// The inbound webhook path on the one port.
import type { HttpRoute } from "../../../sys/core/http/route.js";
import type { MessagingDeps } from "../deps.js";
import { receiveInbound } from "./receive.js";

export function createInboundRoutes(deps: MessagingDeps): HttpRoute[] {
  return [{ method: "POST", path: "/api/messaging/hooks/:provider", handler: (request) => receiveInbound(deps, request) }];
}
