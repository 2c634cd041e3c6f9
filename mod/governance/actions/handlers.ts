// RunAction and RunPublicAction: parameters checked against the action's schema (defaults filled), the plugin
// run outside any transaction, and the run — successful or not — recorded in the community's activity log.
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { principalOf } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError } from "../../../sys/core/errors.js";
import { recordActivity } from "../activity.js";
import { bearerOf, type GovernanceDeps } from "../deps.js";
import { instanceContext, pluginFailure } from "../instance-context.js";
import { enabledInstance } from "../instances/store.js";
import { splitName } from "../registry.js";
import type { Json, JsonObject } from "../sdk/define-plugin.js";

interface ActionRequest {
  communityId: string;
  action: string;
  parameters?: JsonObject;
  instanceId: string;
}

export function createActionHandlers(deps: GovernanceDeps): Pick<ServiceImpl<typeof GovernanceService>, "runAction" | "runPublicAction"> {
  const { db, registry } = deps;

  const run = async (req: ActionRequest, ctx: HandlerContext, publicOnly: boolean) => {
    const [pluginName, slug] = splitName(req.action);
    const plugin = registry.plugin(pluginName);
    const action = registry.action(plugin, slug);
    // The rule of RunPublicAction lets anyone in; only actions their plugin declares public may be run that way.
    if (publicOnly && !action.public) throw apiError(Code.PermissionDenied, "ACTION_NOT_PUBLIC", `${req.action} is not a public action; call RunAction signed in`);
    const parameters = registry.check(action.input, (req.parameters ?? {}) as JsonObject, "parameters");
    const instance = await enabledInstance(db.em(), req.communityId, pluginName, req.instanceId || undefined);
    const actorId = principalOf(ctx)?.accountId ?? "";
    let result: Json;
    let ok = false;
    try {
      result = await action.run(instanceContext(deps, instance, { accountId: actorId, bearer: bearerOf(ctx) }), parameters);
      ok = true;
    } catch (error) {
      throw pluginFailure(deps, req.action, error);
    } finally {
      await db.em().transactional((tx) => recordActivity(tx as EntityManager, req.communityId, actorId, [{ kind: "governance_action_run", payload: { instance_id: instance.id, action: req.action, ok } }]));
    }
    // Struct holds an object; a plugin returning a bare value is wrapped as Metagov does not, but JSON needs a key.
    const wrapped: JsonObject = result !== null && typeof result === "object" && !Array.isArray(result) ? result : { value: result };
    return { result: wrapped };
  };

  return {
    runAction: (req, ctx) => run(req as ActionRequest, ctx, false),
    runPublicAction: (req, ctx) => run(req as ActionRequest, ctx, true),
  };
}
