// JSON Schema (draft-07) checks for plugin configs, action parameters and process inputs, through Ajv: defaults
// filled in, every error reported with its path, and the fields a schema marks writeOnly (secrets) listed.
import type { ErrorObject, ValidateFunction } from "ajv";
import { createLazyAjv } from "../../../sys/core/lazy-ajv.js";
import type { Json, JsonObject, JsonSchema } from "./define-plugin.js";

export interface SchemaCheck {
  /** Fills defaults into `value` (a copy) and returns it, or the list of problems. */
  (value: JsonObject): { ok: true; value: JsonObject } | { ok: false; problems: string[] };
}

export function createSchemaCompiler() {
  const ajv = createLazyAjv();
  const cache = new WeakMap<JsonSchema, ValidateFunction>();
  return function compile(schema: JsonSchema): SchemaCheck {
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv().compile(schema);
      cache.set(schema, validate);
    }
    const check = validate;
    return (value) => {
      const copy = structuredClone(value);
      if (check(copy)) return { ok: true, value: copy };
      return { ok: false, problems: (check.errors ?? []).map(describe) };
    };
  };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "(top level)";
  if (error.keyword === "required") return `${(error.params as { missingProperty: string }).missingProperty}: required`;
  if (error.keyword === "additionalProperties") return `${where}: unknown field ${(error.params as { additionalProperty: string }).additionalProperty}`;
  return `${where}: ${error.message ?? "invalid"}`;
}

/** Top-level properties of an object schema marked `writeOnly: true`: the config's secrets. */
export function secretFields(schema: JsonSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  return Object.entries(properties)
    .filter(([, property]) => typeof property === "object" && property !== null && !Array.isArray(property) && property.writeOnly === true)
    .map(([name]) => name);
}
