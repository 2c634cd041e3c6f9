// ListPlugins and the instance RPCs: enable, update, disable, set the whole list (Metagov's PUT), list, hooks.
// Every config is checked against the plugin's schema before anything is written; every change is logged.
import type { ServiceImpl } from "@connectrpc/connect";
import type { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { alreadyExists, invalidArgument } from "../../../sys/core/errors.js";
import { recordActivity } from "../activity.js";
import type { GovernanceDeps } from "../deps.js";
import { PluginInstanceEntity, ProcessEntity } from "../entities.js";
import { applyProcessUpdate, lockProcess } from "../processes/apply-update.js";
import type { JsonObject, PluginDefinition } from "../sdk/define-plugin.js";
import { hookPath, type InstanceRow, instanceToProto, loadInstance, prepareConfig, sealFor } from "./store.js";

type Handlers = Pick<ServiceImpl<typeof GovernanceService>,
  "listPlugins" | "enablePlugin" | "updatePlugin" | "disablePlugin" | "setCommunityPlugins" | "listCommunityPlugins" | "listHooks">;

interface Wanted {
  plugin: string;
  platformId: string;
  config: JsonObject;
}

/** The platform id asked for, or the one the plugin reads from its config (Metagov derives it the same way). */
function platformIdOf(plugin: PluginDefinition, wanted: Wanted): string {
  if (wanted.platformId || !plugin.platformIdFrom) return wanted.platformId;
  const value = wanted.config[plugin.platformIdFrom];
  return typeof value === "string" || typeof value === "number" ? String(value).slice(0, 200) : "";
}

export function createInstanceHandlers(deps: GovernanceDeps): Handlers {
  const { db, registry } = deps;
  const several = async (em: EntityManager, communityId: string) => {
    const rows = (await em.find(PluginInstanceEntity, { communityId }, { orderBy: { plugin: "asc", createdAt: "asc" } })) as InstanceRow[];
    const counts = new Map<string, number>();
    for (const row of rows) if (row.enabled) counts.set(row.plugin, (counts.get(row.plugin) ?? 0) + 1);
    return { rows, isSeveral: (row: InstanceRow) => (counts.get(row.plugin) ?? 0) > 1 };
  };

  /** Enables (or re-enables, or reconfigures) one instance in `tx`; returns it and what changed. */
  const upsert = async (tx: EntityManager, communityId: string, given: Wanted, actorId: string, mustBeNew: boolean): Promise<InstanceRow> => {
    const now = new Date();
    const plugin = registry.plugin(given.plugin);
    const wanted = { ...given, platformId: platformIdOf(plugin, given) };
    let row = (await tx.findOne(PluginInstanceEntity, { communityId, plugin: wanted.plugin, platformId: wanted.platformId })) as InstanceRow | null;
    if (row?.enabled && mustBeNew) throw alreadyExists("plugin instance", `${wanted.plugin}${wanted.platformId ? `/${wanted.platformId}` : ""}`);
    const { config, secrets } = prepareConfig(deps, wanted.plugin, wanted.config, row?.enabled ? row : undefined);
    const change = row?.enabled ? "updated" : "enabled";
    if (!row) {
      row = tx.create(PluginInstanceEntity, { id: crypto.randomUUID(), communityId, plugin: wanted.plugin, platformId: wanted.platformId, config, secrets: null, enabled: true, nextProduceAt: null, createdAt: now, updatedAt: now }) as InstanceRow;
    }
    row.config = config;
    row.secrets = sealFor(deps, row.id, secrets);
    row.enabled = true;
    row.nextProduceAt = plugin.producer ? now : null;
    row.updatedAt = now;
    await tx.flush();
    await recordActivity(tx, communityId, actorId, [{ kind: "governance_plugin_changed", payload: { instance_id: row.id, plugin: row.plugin, platform_id: row.platformId, change } }]);
    return row;
  };

  const disable = async (tx: EntityManager, row: InstanceRow, actorId: string) => {
    row.enabled = false;
    row.nextProduceAt = null;
    row.updatedAt = new Date();
    await tx.flush();
    // Its pending processes can never complete now: cancelled, and their drivers told.
    const pending = await tx.find(ProcessEntity, { instanceId: row.id, status: { $in: ["created", "pending"] } });
    for (const process of pending) {
      const locked = await lockProcess(tx, process.id);
      if (locked) await applyProcessUpdate(tx, deps, locked, { errors: { plugin: "disabled" } }, { actorId, forceStatus: "cancelled" });
    }
    await recordActivity(tx, row.communityId, actorId, [{ kind: "governance_plugin_changed", payload: { instance_id: row.id, plugin: row.plugin, platform_id: row.platformId, change: "disabled" } }]);
  };

  const respond = async (communityId: string, row: InstanceRow) => {
    const { isSeveral } = await several(db.em(), communityId);
    deps.wake();
    return { instance: instanceToProto(deps, row, isSeveral(row)) };
  };

  return {
    async listPlugins() {
      return { plugins: registry.list().map(registry.toProto) };
    },

    async enablePlugin(req, ctx) {
      const actorId = requirePrincipal(ctx).accountId;
      const row = await db.em().transactional((tx) => upsert(tx as EntityManager, req.communityId, { plugin: req.plugin, platformId: req.platformId, config: (req.config ?? {}) as JsonObject }, actorId, true));
      return respond(req.communityId, row);
    },

    async updatePlugin(req, ctx) {
      const actorId = requirePrincipal(ctx).accountId;
      const row = await db.em().transactional(async (tx) => {
        const current = await loadInstance(tx as EntityManager, req.communityId, req.instanceId);
        if (!current.enabled) throw invalidArgument("instance_id", "this instance is disabled; enable the plugin again instead", "PLUGIN_NOT_ENABLED");
        return upsert(tx as EntityManager, req.communityId, { plugin: current.plugin, platformId: current.platformId, config: (req.config ?? {}) as JsonObject }, actorId, false);
      });
      return respond(req.communityId, row);
    },

    async disablePlugin(req, ctx) {
      const actorId = requirePrincipal(ctx).accountId;
      const row = await db.em().transactional(async (tx) => {
        const current = await loadInstance(tx as EntityManager, req.communityId, req.instanceId);
        if (current.enabled) await disable(tx as EntityManager, current, actorId);
        return current;
      });
      return respond(req.communityId, row);
    },

    async setCommunityPlugins(req, ctx) {
      const actorId = requirePrincipal(ctx).accountId;
      const wanted: Wanted[] = req.plugins.map((p) => {
        const given = { plugin: p.plugin, platformId: p.platformId, config: (p.config ?? {}) as JsonObject };
        return { ...given, platformId: platformIdOf(registry.plugin(p.plugin), given) };
      });
      const keys = wanted.map((w) => `${w.plugin}\u0000${w.platformId}`);
      const repeated = keys.findIndex((k, i) => keys.indexOf(k) !== i);
      if (repeated >= 0) throw invalidArgument("plugins", `${wanted[repeated].plugin} is listed twice for the same platform_id`, "DUPLICATE_PLUGIN");
      await db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const current = (await tx.find(PluginInstanceEntity, { communityId: req.communityId, enabled: true })) as InstanceRow[];
        for (const row of current) if (!keys.includes(`${row.plugin}\u0000${row.platformId}`)) await disable(tx, row, actorId);
        for (const w of wanted) await upsert(tx, req.communityId, w, actorId, false);
      });
      deps.wake();
      const { rows, isSeveral } = await several(db.em(), req.communityId);
      return { instances: rows.filter((r) => r.enabled).map((r) => instanceToProto(deps, r, isSeveral(r))) };
    },

    async listCommunityPlugins(req) {
      const { rows, isSeveral } = await several(db.em(), req.communityId);
      return { instances: rows.filter((r) => req.includeDisabled || r.enabled).map((r) => instanceToProto(deps, r, isSeveral(r))) };
    },

    async listHooks(req) {
      const { rows, isSeveral } = await several(db.em(), req.communityId);
      const withHooks = rows.filter((r) => r.enabled).map((r) => hookPath(r, registry.list().find((p) => p.name === r.plugin)?.webhook !== undefined, isSeveral(r)));
      return { hooks: withHooks.filter(Boolean) };
    },
  };
}
