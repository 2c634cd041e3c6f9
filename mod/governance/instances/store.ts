// Plugin instances: which plugins a community enabled, with what config. Secret fields (writeOnly in the
// plugin's config schema) are split off, sealed with the instance id as context, and never leave this file
// except as the full config handed to the plugin itself.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import type { InferEntity } from "@mikro-orm/core";
import { type PluginInstance, PluginInstanceSchema } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError, failedPrecondition, notFound } from "../../../sys/core/errors.js";
import type { GovernanceDeps } from "../deps.js";
import { PluginInstanceEntity } from "../entities.js";
import type { JsonObject } from "../sdk/define-plugin.js";

export type InstanceRow = InferEntity<typeof PluginInstanceEntity>;

export async function loadInstance(em: EntityManager, communityId: string, instanceId: string): Promise<InstanceRow> {
  const row = await em.findOne(PluginInstanceEntity, { id: instanceId, communityId });
  if (!row) throw notFound("plugin instance", instanceId);
  return row as InstanceRow;
}

/** The enabled instance of `plugin` a request means: the one named, or the only one there is. */
export async function enabledInstance(em: EntityManager, communityId: string, plugin: string, instanceId?: string): Promise<InstanceRow> {
  const rows = (await em.find(PluginInstanceEntity, { communityId, plugin, enabled: true, ...(instanceId ? { id: instanceId } : {}) })) as InstanceRow[];
  if (rows.length === 0) throw failedPrecondition("PLUGIN_NOT_ENABLED", instanceId ? `instance ${instanceId} of ${plugin} is not enabled in this community` : `plugin ${plugin} is not enabled in this community`);
  if (rows.length > 1) throw apiError(Code.InvalidArgument, "INSTANCE_REQUIRED", `plugin ${plugin} is enabled ${rows.length} times in this community; name the instance_id (platforms: ${rows.map((r) => r.platformId || "(none)").join(", ")})`);
  return rows[0];
}

/** The config the plugin gets: the stored fields with the secrets opened. */
export function fullConfig(deps: Pick<GovernanceDeps, "secrets">, row: InstanceRow): JsonObject {
  const secrets = row.secrets ? (JSON.parse(deps.secrets.open(row.secrets, row.id)) as JsonObject) : {};
  return { ...(row.config as JsonObject), ...secrets };
}

/**
 * Checks `given` (merged over the secrets already stored, so an update need not repeat them) against the
 * plugin's schema with defaults filled, and splits it into what is stored plainly and the secrets to seal.
 */
export function prepareConfig(deps: Pick<GovernanceDeps, "registry" | "secrets">, pluginName: string, given: JsonObject, row?: InstanceRow): { config: JsonObject; secrets: JsonObject } {
  const plugin = deps.registry.plugin(pluginName);
  const secretNames = deps.registry.secrets(plugin);
  const kept = row?.secrets ? (JSON.parse(deps.secrets.open(row.secrets, row.id)) as JsonObject) : {};
  const checked = deps.registry.check(plugin.config, { ...kept, ...given }, "config");
  const config: JsonObject = {};
  const secrets: JsonObject = {};
  for (const [key, value] of Object.entries(checked)) (secretNames.includes(key) ? secrets : config)[key] = value;
  return { config, secrets };
}

/** The sealed form of an instance's secrets (null when it has none). */
export function sealFor(deps: Pick<GovernanceDeps, "secrets">, instanceId: string, secrets: JsonObject): string | null {
  return Object.keys(secrets).length ? deps.secrets.seal(JSON.stringify(secrets), instanceId) : null;
}

export function hookPath(row: InstanceRow, hasWebhook: boolean, several: boolean): string {
  if (!hasWebhook) return "";
  return `/api/hooks/${row.communityId}/${row.plugin}${several ? `/${row.id}` : ""}`;
}

export function instanceToProto(deps: Pick<GovernanceDeps, "registry" | "secrets">, row: InstanceRow, several = false): PluginInstance {
  const plugin = deps.registry.list().find((p) => p.name === row.plugin);
  const secretsSet = row.secrets ? Object.keys(JSON.parse(deps.secrets.open(row.secrets, row.id)) as JsonObject) : [];
  return create(PluginInstanceSchema, {
    id: row.id,
    communityId: row.communityId,
    plugin: row.plugin,
    platformId: row.platformId,
    config: row.config as JsonObject,
    secretsSet,
    enabled: row.enabled,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
    hookPath: hookPath(row, plugin?.webhook !== undefined, several),
  });
}
