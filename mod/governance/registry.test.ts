// The registry compiles a schema on its first use, so a shipped plugin with a broken schema would only fail the
// first caller of that action: compile every one here instead (as `polityd doctor` does).
import { describe, expect, it } from "vitest";
import { createShippedPlugins } from "./plugins/index.js";
import type { JsonSchema, PluginDefinition } from "./sdk/define-plugin.js";
import { createPluginRegistry } from "./registry.js";

describe("shipped governance plugins", () => {
  const plugins = createShippedPlugins();

  it("compile every config, action and process schema", () => {
    expect(createPluginRegistry(plugins).schemaProblems()).toEqual([]);
  });

  it("a schema that does not compile is named with its plugin and place", () => {
    const broken = {
      name: "broken", description: "a plugin with a bad schema", authType: "none",
      config: { type: "object", properties: {} },
      processes: { poll: { description: "x", input: { type: "object" }, outcome: { type: "nonsense" } as JsonSchema } },
    } as unknown as PluginDefinition;
    const problems = createPluginRegistry([...plugins, broken]).schemaProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^broken process poll outcome: .*type/);
  });

  it("checks a value on first use, filling defaults and naming problems", () => {
    const registry = createPluginRegistry(plugins);
    const schema: JsonSchema = { type: "object", properties: { n: { type: "integer", default: 3 } }, required: ["n"], additionalProperties: false };
    expect(registry.check(schema, {}, "test")).toEqual({ n: 3 });
    expect(() => registry.check(schema, { n: "x" }, "test")).toThrow(/n: must be integer/);
  });
});
