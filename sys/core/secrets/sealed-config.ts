// A plugin-style config checked against its JSON Schema (draft-07, defaults filled) and split in two: the plain
// fields, stored as JSON, and the fields the schema marks `writeOnly` (secrets), sealed with the keyring and the
// owning row's id as associated data so a sealed blob copied onto another row does not open. Shared by every
// module that stores configs with credentials (messaging providers; governance instances follow the same rules).
import type { ErrorObject, ValidateFunction } from "ajv";
import { createLazyAjv } from "../lazy-ajv.js";
import { invalidArgument } from "../errors.js";
import type { Keyring } from "./keyring.js";

export type ConfigObject = Record<string, unknown>;
/** A JSON Schema object (draft-07); only `properties[*].writeOnly` is read here, Ajv reads the rest. */
export type ConfigSchema = object & { properties?: object };

export interface ConfigSchemas {
  /** `value` with defaults filled, or INVALID_ARGUMENT whose field is the first problem's path under `field`. */
  check(schema: ConfigSchema, value: ConfigObject, field: string): ConfigObject;
}

export function createConfigSchemas(): ConfigSchemas {
  const ajv = createLazyAjv();
  const cache = new WeakMap<object, ValidateFunction>();
  return {
    check(schema, value, field) {
      let validate = cache.get(schema);
      if (!validate) cache.set(schema, (validate = ajv().compile(schema)));
      const copy = structuredClone(value);
      if (validate(copy)) return copy;
      const problems = (validate.errors ?? []).map(describe);
      throw invalidArgument(problems[0]!.path ? `${field}.${problems[0]!.path}` : field, problems.map((p) => `${p.path || "(top level)"}: ${p.message}`).join("; "), "SCHEMA_MISMATCH");
    },
  };
}

function describe(error: ErrorObject): { path: string; message: string } {
  const path = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "";
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { path: path ? `${path}.${missing}` : missing, message: "required" };
  }
  if (error.keyword === "additionalProperties") return { path, message: `unknown field ${(error.params as { additionalProperty: string }).additionalProperty}` };
  return { path, message: error.message ?? "invalid" };
}

/** Top-level properties of an object schema marked `writeOnly: true`. */
export function secretFieldsOf(schema: ConfigSchema): string[] {
  return Object.entries((schema.properties ?? {}) as Record<string, unknown>)
    .filter(([, property]) => typeof property === "object" && property !== null && (property as { writeOnly?: unknown }).writeOnly === true)
    .map(([name]) => name);
}

/** Splits a checked config into its plain part and its secrets. */
export function splitSecrets(schema: ConfigSchema, config: ConfigObject): { plain: ConfigObject; secrets: ConfigObject } {
  const names = new Set(secretFieldsOf(schema));
  const plain: ConfigObject = {};
  const secrets: ConfigObject = {};
  for (const [key, value] of Object.entries(config)) (names.has(key) ? secrets : plain)[key] = value;
  return { plain, secrets };
}

/** The sealed form of `secrets` for row `rowId` (null when there are none). */
export function sealSecrets(keyring: Keyring, rowId: string, secrets: ConfigObject): string | null {
  return Object.keys(secrets).length ? keyring.seal(JSON.stringify(secrets), rowId) : null;
}

export function openSecrets(keyring: Keyring, rowId: string, sealed: string | null | undefined): ConfigObject {
  return sealed ? (JSON.parse(keyring.open(sealed, rowId)) as ConfigObject) : {};
}
