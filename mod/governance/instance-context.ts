// The InstanceContext a plugin hook runs with: its instance's full config, its persistent state, safe outgoing
// HTTP, and — for the `polity` plugin — the voting module, acting as the account that caused the work.
import { Code, ConnectError } from "@connectrpc/connect";
import { apiError } from "../../sys/core/errors.js";
import { query, tableOf } from "../../sys/core/sql.js";
import type { GovernanceDeps } from "./deps.js";
import { PluginStateEntity } from "./entities.js";
import { fullConfig, type InstanceRow } from "./instances/store.js";
import type { InstanceContext, Json, PolityPort } from "./sdk/define-plugin.js";

export interface Actor {
  accountId: string;
  /** The caller's Authorization header: sys decides on the voting module's directory reads as that caller. */
  bearer?: string;
}

const SYSTEM: Actor = { accountId: "" };

export function instanceContext(deps: GovernanceDeps, row: InstanceRow, actor: Actor = SYSTEM): InstanceContext {
  const stateTable = () => tableOf(deps.db.em(), PluginStateEntity);
  return {
    instanceId: row.id,
    communityId: row.communityId,
    platformId: row.platformId,
    config: fullConfig(deps, row),
    state: {
      async get(key) {
        const [found] = await query<{ value: Json }>(deps.db.em(), `select value from ${stateTable()} where instance_id = ? and key = ?`, [row.id, key]);
        return found?.value;
      },
      async set(key, value) {
        await query(deps.db.em(), `insert into ${stateTable()} (instance_id, key, value) values (?, ?, ?) on conflict (instance_id, key) do update set value = excluded.value`, [row.id, key, JSON.stringify(value)]);
      },
      async delete(key) {
        await query(deps.db.em(), `delete from ${stateTable()} where instance_id = ? and key = ?`, [row.id, key]);
      },
    },
    fetch: deps.fetch,
    logger: deps.logger.child({ plugin: row.plugin, instance: row.id }),
    now: () => new Date(),
    actorId: actor.accountId,
    polity: polityPort(deps, row, actor),
  };
}

function polityPort(deps: GovernanceDeps, row: InstanceRow, actor: Actor): PolityPort {
  const voting = () => {
    if (!deps.voting) throw apiError(Code.FailedPrecondition, "VOTING_UNAVAILABLE", "this server runs no voting module");
    return deps.voting;
  };
  return {
    async createPoll(input) {
      // Starting the process needed governance.process.run; making a poll also needs what CreatePoll needs.
      const decision = await deps.authz.check({ principalId: actor.accountId, permission: "voting.poll.create", resource: `community/${row.communityId}`, bearer: actor.bearer });
      if (!decision.allowed) throw new ConnectError(`creating a poll needs voting.poll.create in this community (${decision.reason})`, Code.PermissionDenied);
      return voting().createPoll({ communityId: row.communityId, actorId: actor.accountId, bearer: actor.bearer, ...input });
    },
    pollOutcome: (pollId) => voting().pollOutcome({ communityId: row.communityId, pollId }),
    closePoll: (pollId) => voting().closePoll({ communityId: row.communityId, pollId, actorId: actor.accountId || SCHEDULER_ACTOR, bearer: actor.bearer }),
  };
}

// Who closes a poll when no account asked (a sweep): recorded as the scheduler in the activity log.
const SCHEDULER_ACTOR = "00000000-0000-0000-0000-000000000000";

/** A plugin's failure as the caller sees it: its kind of error, never its stack. */
export function pluginFailure(deps: GovernanceDeps, plugin: string, error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const kind = (error as { pluginError?: string }).pluginError;
  const message = error instanceof Error ? error.message : String(error);
  if (kind === "invalid_input") return apiError(Code.InvalidArgument, "PLUGIN_INVALID_INPUT", `${plugin}: ${message}`);
  if (kind === "platform") return apiError(Code.Unavailable, "PLATFORM_ERROR", `${plugin}: ${message}`);
  if ((error as { reason?: string }).reason === "DESTINATION_NOT_ALLOWED") return apiError(Code.FailedPrecondition, "DESTINATION_NOT_ALLOWED", `${plugin}: ${message}`);
  deps.logger.error({ err: error, plugin }, "governance plugin failed");
  return apiError(Code.Internal, "PLUGIN_FAILED", `${plugin} failed; the server log has the details`);
}
