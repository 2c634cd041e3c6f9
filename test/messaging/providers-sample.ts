// A config a provider kind accepts, made from its JSON Schema (required and secret fields given plausible
// values), so the provider tests do not depend on each plugin's field names; `overrides` wins.
import type { JsonObject } from "@bufbuild/protobuf";
import type { ProviderKind } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";

export function sampleConfig(kind: ProviderKind, overrides: JsonObject = {}): JsonObject {
  const schema = (kind.configSchema ?? {}) as JsonObject;
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const wanted = new Set([...((schema.required ?? []) as string[]), ...kind.secretFields]);
  const config: JsonObject = {};
  for (const name of wanted) config[name] = sampleValue(name, properties[name] ?? {});
  return { ...config, ...overrides };
}

function sampleValue(name: string, property: JsonObject): JsonObject[string] {
  if (Array.isArray(property.enum)) return property.enum[0] ?? "";
  if (property.default !== undefined) return property.default;
  const type = Array.isArray(property.type) ? property.type[0] : property.type;
  if (type === "boolean") return false;
  if (type === "integer" || type === "number") return typeof property.minimum === "number" ? property.minimum : 1;
  if (type === "array") return [];
  if (type === "object") return {};
  const format = String(property.format ?? "");
  const pattern = String(property.pattern ?? "");
  if (format === "uri" || format === "url" || /url|endpoint|base/i.test(name)) return "https://provider.example.org/api";
  if (format === "email" || /email|from_address|sender/i.test(name)) return "sender@example.org";
  if (pattern.includes("\\+") || /phone|number|from/i.test(name)) return "+15005550006";
  const min = typeof property.minLength === "number" ? property.minLength : 1;
  return `sample-${name}-${"x".repeat(Math.max(0, min))}`;
}
