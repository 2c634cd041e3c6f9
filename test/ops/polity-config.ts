// What a polityd container would run with: the image's ENV, the deployment's environment and the container's
// arguments, read by the project's own config loader and module selection, so a manifest with a misspelt key,
// a bad value or an unknown flag fails here as it would at start-up.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, loadConfig, settings } from "../../sys/core/config.js";
import { selectModModules } from "../../sys/cmd/module-selection.js";
import { repoRoot } from "../support/server.js";
import { dockerfileInstructions } from "./dockerfile.js";

/** Read by the image's scripts and Node, not by the config loader. */
const OTHER_KNOWN = new Set(["POLITY_CONFIG", "POLITY_MIGRATE_ON_START", "POLITY_HEALTHCHECK_TIMEOUT_MS", "NODE_ENV", "NODE_OPTIONS"]);
const SETTING_ENVS = new Set(settings.map((s) => s.env));
const FLAGS = new Set(["config", ...settings.flatMap((s) => (s.flag ? [s.flag] : []))]);

export function isKnownEnv(name: string): boolean {
  return SETTING_ENVS.has(name) || OTHER_KNOWN.has(name) || name.startsWith("OTEL_");
}

/** The runtime stage's ENV of the Dockerfile: what every container starts with. */
export function imageEnv(): Record<string, string> {
  const instructions = dockerfileInstructions(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
  const runtime = instructions.slice(instructions.findLastIndex((i) => i.keyword === "FROM"));
  const env: Record<string, string> = {};
  for (const { args } of runtime.filter((i) => i.keyword === "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

export interface PolitydArgs {
  /** `migrate`, `doctor`… when the arguments start with one; undefined for the server. */
  subcommand?: string;
  flags: Record<string, string>;
}

/** `--name value` and `--name=value` pairs after an optional subcommand; an unknown flag throws. */
export function parsePolitydArgs(args: readonly string[]): PolitydArgs {
  const rest = [...args];
  const subcommand = rest.length > 0 && !rest[0].startsWith("-") ? rest.shift() : undefined;
  const flags: Record<string, string> = {};
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !FLAGS.has(match[1])) throw new Error(`polityd has no option ${arg}`);
    const value = match[2] ?? rest.shift();
    if (value === undefined) throw new Error(`${arg} needs a value`);
    flags[match[1]] = value;
  }
  return { subcommand, flags };
}

/** The config polityd would load (throws ConfigError as polityd would refuse to start), with its module selection checked. */
export function politydConfig(env: Record<string, string>, args: readonly string[]): Config & { subcommand?: string } {
  const { subcommand, flags } = parsePolitydArgs(args);
  const camel = Object.fromEntries(Object.entries(flags).map(([k, v]) => [k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
  const { config: file, ...rest } = camel;
  const config = loadConfig({ env: { ...env, ...(file ? { POLITY_CONFIG: file } : {}) }, flags: rest });
  selectModModules(config.modules);
  return { ...config, subcommand };
}
