// Running one plugin action, whoever asks (RunAction, RunPublicAction, another module through the port):
// parameters checked against the action's schema, the plugin run outside any transaction, and the run —
// successful or not — recorded in the community's activity log.
import { Code } from "@connectrpc/connect";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError } from "../../../sys/core/errors.js";
import { recordActivity } from "../activity.js";
import type { GovernanceDeps } from "../deps.js";
import { type Actor, instanceContext, pluginFailure } from "../instance-context.js";
import { enabledInstance } from "../instances/store.js";
import { splitName } from "../registry.js";
import type { Json, JsonObject } from "../sdk/define-plugin.js";

export interface ActionRun {
  communityId: string;
  /** "<plugin>.<slug>". */
  action: string;
  parameters: JsonObject;
  instanceId?: string;
  actor: Actor;
  /** Only actions their plugin declares public (the caller may be anonymous). */
  publicOnly?: boolean;
}

export async function runPluginAction(deps: GovernanceDeps, run: ActionRun): Promise<Json> {
  const [pluginName, slug] = splitName(run.action);
  const action = deps.registry.action(deps.registry.plugin(pluginName), slug);
  if (run.publicOnly && !action.public) throw apiError(Code.PermissionDenied, "ACTION_NOT_PUBLIC", `${run.action} is not a public action; call RunAction signed in`);
  const parameters = deps.registry.check(action.input, run.parameters, "parameters");
  const instance = await enabledInstance(deps.db.em(), run.communityId, pluginName, run.instanceId || undefined);
  let ok = false;
  try {
    const result = await action.run(instanceContext(deps, instance, run.actor), parameters);
    ok = true;
    return result;
  } catch (error) {
    throw pluginFailure(deps, run.action, error);
  } finally {
    await deps.db.em().transactional((tx) => recordActivity(tx as EntityManager, run.communityId, run.actor.accountId, [{ kind: "governance_action_run", payload: { instance_id: instance.id, action: run.action, ok } }]));
  }
}
