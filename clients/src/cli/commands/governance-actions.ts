// polity actions run COMMUNITY PLUGIN.ACTION [--param key=value …] [--params JSON]: runs one action of an
// enabled plugin and prints its result as JSON.
import type { Command } from "commander";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { RunActionResponseSchema } from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { action } from "../session.js";
import { UsageError } from "../exit.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";
import { collect, governance, parseObject, resolveInstance } from "./governance-shared.js";

export function register(program: Command, io: Io): void {
  const a = program.command("actions").description("actions of a community's governance plugins");

  a.command("run <community> <action>")
    .description("run an action (plugin.action, e.g. randomness.random-int) and print its result as JSON")
    .option("--param <key=value>", "a parameter (repeat); the value is read as the action's schema types it", collect)
    .option("--params <json>", "all parameters as a JSON object (--param entries are added to it)")
    .option("--instance <instance>", "which instance, when the plugin is enabled more than once (id, prefix)")
    .action(action(io, async (s, ref: string, name: string, o: { param?: string[]; params?: string; instance?: string }) => {
      if (!/^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/.test(name)) throw new UsageError(`"${name}" is not an action name: write plugin.action, e.g. randomness.random-int (see \`polity plugins list\`).`);
      const parameters: JsonObject = o.params === undefined ? {} : parseObject(o.params, "--params");
      const malformed = o.param?.find((entry) => entry.indexOf("=") <= 0);
      if (malformed !== undefined) throw new UsageError(`--param "${malformed}" is not key=value.`);
      const id = await communityId(s, ref);
      if (o.param?.length) {
        const schema = await inputSchema(s, name);
        for (const entry of o.param) {
          const eq = entry.indexOf("=");
          const key = entry.slice(0, eq);
          parameters[key] = typed(entry.slice(eq + 1), schema?.[key]);
        }
      }
      const instanceId = o.instance ? await resolveInstance(s, id, o.instance, ref) : "";
      const res = await governance(s).runAction({ communityId: id, action: name, parameters, instanceId });
      s.emit(RunActionResponseSchema, res, () => s.io.stdout(`${JSON.stringify(res.result ?? {}, null, 2)}\n`));
    }));
}

type Properties = Record<string, JsonObject | undefined>;

/** The action's parameter schemas, to read "6" as a number and "true" as a boolean where the plugin wants them. */
async function inputSchema(s: Parameters<typeof governance>[0], name: string): Promise<Properties | undefined> {
  const [plugin] = name.split(".");
  try {
    const { plugins } = await governance(s).listPlugins({});
    const found = plugins.find((p) => p.name === plugin)?.actions.find((x) => x.name === name);
    return found?.inputSchema?.properties as Properties | undefined;
  } catch {
    // Without the schema the value is guessed (below); the server still checks it.
    return undefined;
  }
}

/**
 * A --param value as the schema types it: strings stay strings, numbers and booleans are parsed, objects and
 * arrays are JSON. Without a schema, JSON when it parses (6, true, [1,2]), else the text.
 */
export function typed(text: string, schema: JsonObject | undefined): JsonValue {
  const types = schema === undefined ? [] : ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes("string") || (Array.isArray(schema?.enum) && schema.enum.every((v) => typeof v === "string"))) return text;
  if (types.includes("integer") || types.includes("number")) {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--param: "${text}" is not a number.`);
    return n;
  }
  if (types.includes("boolean")) {
    if (text === "true" || text === "false") return text === "true";
    throw new UsageError(`--param: "${text}" is not true or false.`);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    if (types.includes("object") || types.includes("array")) throw new UsageError(`--param: the value must be JSON (${types.join(" or ")}).`);
    return text;
  }
}
