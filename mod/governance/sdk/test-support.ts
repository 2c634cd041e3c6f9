// For plugin tests: an InstanceContext without the governance module (state in memory, fetch as given), a
// config checked and defaulted by the plugin's own schema, and processes started and kept up to date, as the
// module would do it.
import pino from "pino";
import type { InstanceContext, Json, JsonObject, PluginDefinition, PolityPort, ProcessDefinition, ProcessUpdate, ProcessView } from "./define-plugin.js";
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

/** The problems `value` has against `schema`, as checkedAgainst words them; throws when it passes. */
export function refusalOf(schema: JsonObject, value: JsonObject): string {
  try {
    checkedAgainst(schema, value);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

/** The plugin error a call fails with (its kind, e.g. "invalid_input" or "platform", and message); throws when it succeeds. */
export async function pluginErrorOf(promise: Promise<unknown>): Promise<{ kind: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { kind: (error as { pluginError?: string }).pluginError, message: (error as Error).message };
  }
  throw new Error("expected the call to fail");
}

/** A process as the module hands it to the plugin: its input checked and defaulted, `data` as saved. */
export function processViewOf(process: ProcessDefinition, input: JsonObject, options: { id?: string; data?: JsonObject; createdAt?: Date } = {}): ProcessView {
  return { id: options.id ?? "p-1", input: checkedAgainst(process.input, input), outcome: {}, data: options.data ?? {}, createdAt: options.createdAt ?? new Date() };
}

export type TrackedView = ProcessView & { status?: string };

/**
 * Starts `process` (which must answer pending) and returns its view with `apply`, which takes each later update
 * into the view the way the module would: the outcome checked against the process's outcome schema.
 */
export async function startTracked(process: ProcessDefinition, ctx: InstanceContext, input: JsonObject, id = "p1"): Promise<{ view: TrackedView; apply(update: ProcessUpdate | void): void }> {
  const view: TrackedView = processViewOf(process, input, { id });
  const apply = (update: ProcessUpdate | void) => {
    if (!update) return;
    if (update.outcome) view.outcome = checkedAgainst(process.outcome, update.outcome);
    if (update.data) view.data = update.data;
    if (update.status) view.status = update.status;
  };
  const update = await process.start(ctx, view);
  if (update.status !== "pending") throw new Error(`start answered status ${String(update.status)}, expected pending`);
  apply(update);
  return { view, apply };
}
