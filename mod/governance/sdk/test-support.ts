// For plugin tests: an InstanceContext without the governance module (state in memory, fetch as given), and a
// config checked and defaulted by the plugin's own schema, as the module would do it.
import pino from "pino";
import type { InstanceContext, Json, JsonObject, PluginDefinition, PolityPort } from "./define-plugin.js";
import { createSchemaCompiler } from "./json-schema.js";

const compile = createSchemaCompiler();

const noPolity: PolityPort = {
  createPoll: async () => { throw new Error("no polity port in this test"); },
  pollOutcome: async () => { throw new Error("no polity port in this test"); },
  closePoll: async () => { throw new Error("no polity port in this test"); },
};

export function testInstanceContext(plugin: PluginDefinition, options: { config?: JsonObject; platformId?: string; polity?: PolityPort; now?: () => Date } = {}): InstanceContext {
  const checked = compile(plugin.config)(options.config ?? {});
  if (!checked.ok) throw new Error(`config rejected: ${checked.problems.join("; ")}`);
  const state = new Map<string, Json>();
  return {
    instanceId: "00000000-0000-4000-8000-000000000001",
    communityId: "00000000-0000-4000-8000-000000000002",
    platformId: options.platformId ?? "",
    config: checked.value,
    state: {
      get: async (key) => state.get(key),
      set: async (key, value) => void state.set(key, structuredClone(value)),
      delete: async (key) => void state.delete(key),
    },
    fetch: globalThis.fetch,
    logger: pino({ level: "silent" }),
    now: options.now ?? (() => new Date()),
    actorId: "00000000-0000-4000-8000-000000000003",
    polity: options.polity ?? noPolity,
  };
}

/** Checks `value` against a schema of the plugin (input, outcome…) and returns it with defaults filled. */
export function checkedAgainst(schema: JsonObject, value: JsonObject): JsonObject {
  const checked = compile(schema)(value);
  if (!checked.ok) throw new Error(checked.problems.join("; "));
  return checked.value;
}
