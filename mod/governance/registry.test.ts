// The registry compiles a schema on its first use, so a shipped plugin with a broken schema would only fail the
// first caller of that action: compile every one here instead.
import { describe, expect, it } from "vitest";
import { createShippedPlugins } from "./plugins/index.js";
import type { JsonSchema } from "./sdk/define-plugin.js";
import { createSchemaCompiler } from "./sdk/json-schema.js";
import { createPluginRegistry } from "./registry.js";

describe("shipped governance plugins", () => {
  const plugins = createShippedPlugins();

  it.each(plugins.map((plugin) => [plugin.name, plugin] as const))("%s: config, action and process schemas compile", (_name, plugin) => {
    const compile = createSchemaCompiler();
    const schemas = [plugin.config, ...Object.values(plugin.actions ?? {}).map((a) => a.input), ...Object.values(plugin.processes ?? {}).map((p) => p.input)];
    for (const schema of schemas) expect(() => compile(schema)).not.toThrow();
  });

  it("checks a value on first use, filling defaults and naming problems", () => {
    const registry = createPluginRegistry(plugins);
    const schema: JsonSchema = { type: "object", properties: { n: { type: "integer", default: 3 } }, required: ["n"], additionalProperties: false };
    expect(registry.check(schema, {}, "test")).toEqual({ n: 3 });
    expect(() => registry.check(schema, { n: "x" }, "test")).toThrow(/n: must be integer/);
  });
});
