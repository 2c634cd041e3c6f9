// Polity's governance messages in the JSON shapes Metagov's API answers with (metagov-prototype's serializers
// and listing views), so a driver written against Metagov reads them unchanged.
import type { JsonObject } from "@bufbuild/protobuf";
import { type Plugin, type PluginInstance, type Process, ProcessStatus } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";

export function communityJson(name: string, readableName: string, instances: PluginInstance[]) {
  return {
    name,
    readable_name: readableName,
    plugins: instances.filter((i) => i.enabled).map((i) => ({ name: i.plugin, config: i.config ?? {} })),
  };
}

/** Metagov's PluginSerializer (v2): the instance id is Polity's uuid rather than an integer. */
export function pluginJson(instance: PluginInstance, communityName: string, plugin: Plugin | undefined) {
  return { id: instance.id, name: instance.plugin, config: instance.config ?? {}, community: communityName, auth_type: plugin?.authType ?? "none" };
}

export function processJson(process: Process, communityName: string) {
  return {
    id: process.id,
    name: process.name,
    community: communityName,
    status: statusName(process.status),
    errors: process.errors ?? {},
    outcome: process.outcome ?? {},
  };
}

function statusName(status: ProcessStatus): string {
  return (ProcessStatus[status] ?? "unspecified").toLowerCase();
}

export function actionSchemas(plugin: Plugin) {
  return plugin.actions.map((a) => ({ id: a.name, description: a.description, parameters_schema: schema(a.inputSchema), response_schema: schema(a.outputSchema) }));
}

export function processSchemas(plugin: Plugin) {
  return plugin.processes.map((p) => ({ id: p.name, description: p.description, parameters_schema: schema(p.inputSchema), response_schema: schema(p.outcomeSchema) }));
}

export function eventSchemas(plugin: Plugin) {
  // Polity's plugins declare event types, not their data schemas.
  return plugin.eventTypes.map((type) => ({ event_type: type, source: plugin.name, schema: null }));
}

/** Metagov's plugin metadata: name, auth type, webhook use and every schema. */
export function pluginMetadata(plugin: Plugin) {
  return {
    name: plugin.name,
    auth_type: plugin.authType,
    uses_webhook: plugin.webhooks,
    schemas: { config: schema(plugin.configSchema), actions: actionSchemas(plugin), events: eventSchemas(plugin), processes: processSchemas(plugin) },
  };
}

export function schema(value: JsonObject | undefined): JsonObject | null {
  return value && Object.keys(value).length > 0 ? value : null;
}
