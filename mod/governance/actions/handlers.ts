// RunAction and RunPublicAction: the shared run (run-action.ts), its result as a Struct.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { bearerOf, principalOf } from "../../../sys/core/authn/principal.js";
import type { GovernanceDeps } from "../deps.js";
import type { JsonObject } from "../sdk/define-plugin.js";
import { runPluginAction } from "./run-action.js";

interface ActionRequest {
  communityId: string;
  action: string;
  parameters?: JsonObject;
  instanceId: string;
}

export function createActionHandlers(deps: GovernanceDeps): Pick<ServiceImpl<typeof GovernanceService>, "runAction" | "runPublicAction"> {
  const run = async (req: ActionRequest, ctx: HandlerContext, publicOnly: boolean) => {
    const actor = { accountId: principalOf(ctx)?.accountId ?? "", bearer: bearerOf(ctx) };
    const result = await runPluginAction(deps, { communityId: req.communityId, action: req.action, parameters: req.parameters ?? {}, instanceId: req.instanceId, actor, publicOnly });
    // A Struct holds an object: a plugin returning a bare value is answered as {value}.
    return { result: result !== null && typeof result === "object" && !Array.isArray(result) ? result : { value: result } };
  };
  return {
    runAction: (req, ctx) => run(req as ActionRequest, ctx, false),
    runPublicAction: (req, ctx) => run(req as ActionRequest, ctx, true),
  };
}
