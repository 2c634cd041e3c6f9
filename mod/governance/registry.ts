// The plugins one governance module instance offers, looked up by name, with their schemas compiled once.
// Chosen by the composition root (sys/cmd/modules.ts); nothing registers itself at import time.
import { Code } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { type Plugin, PluginSchema } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { apiError, invalidArgument } from "../../sys/core/errors.js";
import type { ActionDefinition, JsonObject, JsonSchema, PluginDefinition, ProcessDefinition } from "./sdk/define-plugin.js";
import { createSchemaCompiler, secretFields } from "./sdk/json-schema.js";

export interface PluginRegistry {
  list(): PluginDefinition[];
  /** The plugin, or NOT_FOUND naming the ones there are. */
  plugin(name: string): PluginDefinition;
  action(plugin: PluginDefinition, slug: string): ActionDefinition;
  process(plugin: PluginDefinition, slug: string): ProcessDefinition;
  /** `value` checked against `schema` with defaults filled, or INVALID_ARGUMENT listing every problem. */
  check(schema: JsonSchema, value: JsonObject, what: string): JsonObject;
  secrets(plugin: PluginDefinition): string[];
  toProto(plugin: PluginDefinition): Plugin;
  /** Compiles now every schema the registry checks values against; one line per schema that does not compile. */
  schemaProblems(): string[];
}

export function createPluginRegistry(plugins: PluginDefinition[]): PluginRegistry {
  const byName = new Map<string, PluginDefinition>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) throw new Error(`two governance plugins named ${plugin.name}`);
    byName.set(plugin.name, plugin);
  }
  // Each schema is compiled on its first use (compiling them all took a tenth of the start-up); `polityd doctor`
  // and registry.test.ts call schemaProblems(), so a broken one is found before its first caller meets it.
  const compile = createSchemaCompiler();
  const names = () => [...byName.keys()].sort().join(", ") || "none";
  return {
    list: () => [...byName.values()],
    plugin(name) {
      const plugin = byName.get(name);
      if (!plugin) throw apiError(Code.NotFound, "PLUGIN_NOT_FOUND", `no plugin named ${name} (this server has: ${names()})`, { plugin: name });
      return plugin;
    },
    action(plugin, slug) {
      const action = Object.hasOwn(plugin.actions ?? {}, slug) ? plugin.actions![slug] : undefined;
      if (!action) throw apiError(Code.NotFound, "ACTION_NOT_FOUND", `plugin ${plugin.name} has no action ${slug} (it has: ${Object.keys(plugin.actions ?? {}).join(", ") || "none"})`);
      return action;
    },
    process(plugin, slug) {
      const process = Object.hasOwn(plugin.processes ?? {}, slug) ? plugin.processes![slug] : undefined;
      if (!process) throw apiError(Code.NotFound, "PROCESS_TYPE_NOT_FOUND", `plugin ${plugin.name} has no process ${slug} (it has: ${Object.keys(plugin.processes ?? {}).join(", ") || "none"})`);
      return process;
    },
    check(schema, value, what) {
      const result = compile(schema)(value);
      if (!result.ok) throw invalidArgument(what, `does not match its schema: ${result.problems.join("; ")}`, "SCHEMA_MISMATCH");
      return result.value;
    },
    secrets: (plugin) => secretFields(plugin.config),
    schemaProblems() {
      const problems: string[] = [];
      for (const plugin of byName.values()) {
        for (const [what, schema] of checkedSchemas(plugin)) {
          try {
            compile(schema);
          } catch (error) {
            problems.push(`${plugin.name} ${what}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
      return problems;
    },
    toProto: (plugin) =>
      create(PluginSchema, {
        name: plugin.name,
        description: plugin.description,
        authType: plugin.authType,
        configSchema: plugin.config,
        actions: Object.entries(plugin.actions ?? {}).map(([slug, a]) => ({ name: `${plugin.name}.${slug}`, slug, description: a.description, inputSchema: a.input, outputSchema: a.output ?? {}, public: a.public ?? false })),
        processes: Object.entries(plugin.processes ?? {}).map(([slug, p]) => ({ name: `${plugin.name}.${slug}`, slug, description: p.description, inputSchema: p.input, outcomeSchema: p.outcome })),
        eventTypes: (plugin.events ?? []).map((e) => `${plugin.name}.${e}`),
        webhooks: plugin.webhook !== undefined,
      }),
  };
}

/** The schemas values are checked against: the config, each action's input, each process's input and outcome. */
function checkedSchemas(plugin: PluginDefinition): Array<[string, JsonSchema]> {
  return [
    ["config", plugin.config],
    ...Object.entries(plugin.actions ?? {}).map(([slug, action]): [string, JsonSchema] => [`action ${slug} input`, action.input]),
    ...Object.entries(plugin.processes ?? {}).flatMap(([slug, process]): Array<[string, JsonSchema]> => [
      [`process ${slug} input`, process.input],
      [`process ${slug} outcome`, process.outcome],
    ]),
  ];
}

/** "plugin.slug" → its two parts (the proto's pattern already checked the shape). */
export function splitName(name: string): [string, string] {
  const dot = name.indexOf(".");
  return [name.slice(0, dot), name.slice(dot + 1)];
}
