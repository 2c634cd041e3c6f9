// A plugin's config form, made from its JSON Schema (draft-07): strings, numbers, booleans and enums become
// inputs, a checkbox and a select; other shapes take JSON in a text area. Fields the schema marks writeOnly are
// secrets: password inputs, never filled in, and emptied once the form is sent.
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { h } from "../dom.js";

type Schema = JsonObject;

export interface ConfigForm {
  fields: HTMLElement[];
  /** The config as the schema types it; optional fields left empty are left out, so their defaults apply. */
  read(): JsonObject;
  /** Empties every secret input (after the form was sent, or when it is thrown away). */
  clearSecrets(): void;
}

export class ConfigInputError extends Error {}

const typesOf = (f: Schema): string[] => ([] as JsonValue[]).concat(f.type ?? []).map(String);
const isSecret = (f: Schema) => f.writeOnly === true;
const fieldId = (prefix: string, name: string) => `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;

export function configForm(schema: Schema | undefined, prefix: string): ConfigForm {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema?.required ?? []) as string[]);
  const readers: Array<() => [string, JsonValue | undefined]> = [];
  const secrets: HTMLInputElement[] = [];
  const fields = Object.entries(properties).map(([name, f]) => {
    const id = fieldId(prefix, name);
    const label = `${String(f.title ?? name)}${required.has(name) ? "" : " (optional)"}`;
    const help = [f.description ? String(f.description) : "", isSecret(f) ? "Secret: stored encrypted and never shown again." : ""].filter(Boolean).join(" ");
    const { control, read } = controlFor(id, name, f, required.has(name));
    if (isSecret(f) && control instanceof HTMLInputElement) secrets.push(control);
    readers.push(() => [name, read()]);
    if (control instanceof HTMLInputElement && control.type === "checkbox") {
      return h("div", { class: "field", "data-field": name },
        h("label", { class: "check" }, control, ` ${label}`), help ? h("small", { class: "help" }, help) : null);
    }
    return h("div", { class: "field", "data-field": name }, h("label", { for: id }, label), control, help ? h("small", { class: "help" }, help) : null);
  });
  return {
    fields,
    read() {
      const out: JsonObject = {};
      for (const reader of readers) {
        const [name, value] = reader();
        if (value !== undefined) out[name] = value;
      }
      return out;
    },
    clearSecrets() {
      for (const input of secrets) input.value = "";
    },
  };
}

function controlFor(id: string, name: string, f: Schema, required: boolean): { control: HTMLElement; read: () => JsonValue | undefined } {
  const types = typesOf(f);
  const initial = f.default;
  if (isSecret(f)) {
    // Whatever its type, a secret is typed into a password input and read back as its schema types it.
    const input = h("input", {
      type: "password", id, name: id, required, minlength: num(f.minLength), maxlength: num(f.maxLength), autocomplete: "new-password", "data-testid": `config-${name}`,
    });
    return { control: input, read: () => (input.value === "" ? undefined : types.includes("string") || types.length === 0 ? input.value : parseJson(input.value, name, f, types)) };
  }
  if (Array.isArray(f.enum)) {
    const values = f.enum;
    const select = h("select", { id, name: id, required, "data-testid": `config-${name}` },
      required ? null : h("option", { value: "" }, "(default)"),
      values.map((v, i) => h("option", { value: String(i), selected: initial !== undefined && JSON.stringify(v) === JSON.stringify(initial) }, String(v))));
    return { control: select, read: () => (select.value === "" ? undefined : values[Number(select.value)]) };
  }
  if (types.includes("boolean")) {
    const box = h("input", { type: "checkbox", id, name: id, checked: initial === true, "data-testid": `config-${name}` });
    return { control: box, read: () => box.checked };
  }
  if (types.includes("integer") || types.includes("number")) {
    const integer = types.includes("integer") && !types.includes("number");
    const input = h("input", {
      type: "number", id, name: id, required, step: integer ? 1 : "any", min: num(f.minimum), max: num(f.maximum),
      value: typeof initial === "number" ? initial : undefined, "data-testid": `config-${name}`,
    });
    return { control: input, read: () => (input.value.trim() === "" ? undefined : Number(input.value)) };
  }
  if (types.includes("string")) {
    const input = h("input", {
      type: f.format === "uri" ? "url" : f.format === "email" ? "email" : "text",
      id, name: id, required, minlength: num(f.minLength), maxlength: num(f.maxLength), pattern: typeof f.pattern === "string" ? f.pattern : undefined,
      value: typeof initial === "string" ? initial : undefined, autocomplete: "off", "data-testid": `config-${name}`,
    });
    return { control: input, read: () => (input.value === "" ? undefined : input.value) };
  }
  // Objects, arrays and anything else: JSON, checked here so a typo is named before anything is sent.
  const area = h("textarea", { id, name: id, required, rows: 3, "data-testid": `config-${name}` }, initial === undefined ? "" : JSON.stringify(initial, null, 2));
  return {
    control: area,
    read: () => (area.value.trim() === "" ? undefined : parseJson(area.value, name, f, types)),
  };
}

function parseJson(text: string, name: string, f: Schema, types: string[]): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // The text is not repeated: it may be a secret.
    throw new ConfigInputError(`${String(f.title ?? name)} must be JSON (${types.join(" or ") || "any value"}).`);
  }
}

const num = (v: JsonValue | undefined) => (typeof v === "number" ? v : undefined);
