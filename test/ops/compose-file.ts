// compose.yaml as `docker compose config` would read it: YAML with merge keys, then each string value
// interpolated from the environment compose reads from .env (${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?error}, ${VAR?error}, $$ for a dollar). A required variable left unset throws its error, as compose does.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

// Defaults and errors hold no nested references: compose.yaml uses none.
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(REFERENCE, (whole, braced?: string, operator?: string, argument = "", bare?: string) => {
    if (whole === "$$") return "$";
    const name = (braced ?? bare)!;
    const value = vars[name];
    const unset = operator?.startsWith(":") ? !value : value === undefined;
    if (operator?.endsWith("-")) return unset ? argument : value!;
    if (operator?.endsWith("?")) {
      if (unset) throw new Error(`required variable ${name} is missing a value: ${argument}`);
      return value!;
    }
    return value ?? "";
  });
}

/** The variable names a text refers to. */
export function references(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((m) => [m[1] ?? m[4]].filter(Boolean)) as string[];
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

/** Every string value of the parsed file, merge keys resolved. */
export function composeStrings(file: string): string[] {
  const strings: string[] = [];
  mapStrings(parse(readFileSync(file, "utf8"), { merge: true }), (s) => (strings.push(s), s));
  return strings;
}

// Loosely typed: the tests read a handful of keys of each service.
export type ComposeService = Record<string, any>;
export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  networks: Record<string, any>;
  volumes: Record<string, unknown>;
}

export function readCompose(file: string, vars: Record<string, string>): ComposeFile {
  return mapStrings(parse(readFileSync(file, "utf8"), { merge: true }), (s) => interpolate(s, vars)) as ComposeFile;
}
