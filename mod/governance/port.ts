// The governance module as other modules of the mod tier see it (the contributions module, messaging's
// notifications): read a community's plugin events in order from a cursor, hear that new ones were appended,
// find the instances of a plugin, run a plugin action with no caller (a reconciliation job), and read one
// process's outcome.
import type { EntityManager } from "../../sys/core/db.js";
import type { Notifier } from "../../sys/core/notifier.js";
import { escapeLike, isUuid, query, tableOf } from "../../sys/core/sql.js";
import type { GovernanceDeps } from "./deps.js";
import { EventEntity, PluginInstanceEntity, ProcessEntity } from "./entities.js";
import { ALL_EVENTS_CHANNEL, appendStreamEvents, type EventRow } from "./events/store.js";
import { runPluginAction } from "./actions/run-action.js";
import type { InstanceRow } from "./instances/store.js";
import type { ProcessRow } from "./processes/store.js";
import type { Json, JsonObject } from "./sdk/define-plugin.js";

export interface GovernanceEventRecord {
  communityId: string;
  sequence: number;
  id: string;
  /** "" for another module's events. */
  instanceId: string;
  /** "<plugin>.<event>" (or "<module>.<event>"). */
  type: string;
  time: Date;
  data: JsonObject;
  initiator: JsonObject;
}

export interface PluginInstanceRecord {
  communityId: string;
  instanceId: string;
  platformId: string;
}

export interface GovernancePort {
  /** The community's events after `afterSequence` whose type starts with `typePrefix` (e.g. "github."), in order. */
  readEvents(communityId: string, afterSequence: number, typePrefix: string, limit: number): Promise<GovernanceEventRecord[]>;
  /** Calls `listener` with the community id whenever events were appended (any replica); returns the unsubscribe. */
  onEvents(listener: (communityId: string) => void): () => void;
  /** The enabled instances of a plugin, in every community. */
  instancesOf(plugin: string): Promise<PluginInstanceRecord[]>;
  /** Runs "<plugin>.<action>" with no caller, as the system; recorded in the activity log like any run. */
  runAction(communityId: string, action: string, parameters: JsonObject, instanceId?: string): Promise<Json>;
  /** One process of the community with its status and outcome (as readable as its polls), or undefined. */
  process(communityId: string, processId: string): Promise<ProcessSummary | undefined>;
  /**
   * Appends another module's events ("<module>.<type>") to the community's stream in the caller's transaction (both
   * live in the mod database), so drivers follow them like plugin events: watched, listed, delivered to subscriptions.
   */
  appendModuleEvents(tx: EntityManager, communityId: string, module: string, events: Array<{ type: string; data: JsonObject }>): Promise<void>;
}

export interface ProcessSummary {
  id: string;
  communityId: string;
  /** "<plugin>.<process>". */
  name: string;
  status: string;
  outcome: JsonObject;
}

export function createGovernancePort(deps: () => GovernanceDeps, notifier: () => Notifier): GovernancePort {
  return {
    async appendModuleEvents(tx, communityId, module, events) {
      await appendStreamEvents(tx, { communityId, instanceId: null, producer: module, source: `polity/${communityId}/${module}` }, events);
    },
    async readEvents(communityId, afterSequence, typePrefix, limit) {
      const em = deps().db.em();
      const rows = await query<EventRow>(em,
        `select * from ${tableOf(em, EventEntity)} where community_id = ? and sequence > ? and type like ? order by sequence limit ?`,
        [communityId, afterSequence, `${escapeLike(typePrefix)}%`, limit]);
      return rows.map((r) => ({ communityId: r.community_id, sequence: Number(r.sequence), id: r.id, instanceId: r.instance_id ?? "", type: r.type, time: new Date(r.time), data: r.data, initiator: r.initiator }));
    },
    onEvents: (listener) => notifier().subscribe(ALL_EVENTS_CHANNEL, (payload) => listener(payload)),
    async instancesOf(plugin) {
      const rows = (await deps().db.em().find(PluginInstanceEntity, { plugin, enabled: true })) as InstanceRow[];
      return rows.map((r) => ({ communityId: r.communityId, instanceId: r.id, platformId: r.platformId }));
    },
    async process(communityId, processId) {
      if (!isUuid(processId)) return undefined;
      const row = (await deps().db.em().findOne(ProcessEntity, { id: processId, communityId })) as ProcessRow | null;
      return row ? { id: row.id, communityId: row.communityId, name: `${row.plugin}.${row.slug}`, status: row.status, outcome: row.outcome as JsonObject } : undefined;
    },
    runAction: (communityId, action, parameters, instanceId) => runPluginAction(deps(), { communityId, action, parameters, instanceId, actor: { accountId: "" } }),
  };
}
