// `polityd doctor`: checks a deployment from the config it would start with, and changes nothing: the config,
// each tier's database (reachable, migrated, signing keys, stored secrets), the data directory of the embedded
// database, sys as seen from a process without it, the clocks, the SMTP server, the governance plugins' schemas. One line per check (ok, warn,
// FAIL) or --json; exit code 0 when nothing failed, 1 otherwise.
import type { Command } from "commander";
import { type Config, databaseUrlFor } from "../core/config.js";
import type { PolityModule } from "../core/module.js";
import type { PluginDefinition } from "../../mod/governance/index.js";
import { createShippedPlugins } from "../../mod/governance/plugins/index.js";
import { createPluginRegistry } from "../../mod/governance/registry.js";
import { checkDataDir, checkEmbeddedTier, type EmbeddedState } from "./doctor-embedded.js";
import { checkPostgresTier } from "./doctor-postgres.js";
import { checkMail, checkSys } from "./doctor-remote.js";
import { type CheckResult, exitCodeOf, failed, formatJson, formatText, ok } from "./doctor-report.js";
import { createModModules, createSysModules } from "./modules.js";

/** `polityd doctor [--json]`; `configFrom` reads the config from the command's options as the server would. */
export function registerDoctorCommand(program: Command, configFrom: (options: Record<string, unknown>) => Config): void {
  program
    .command("doctor")
    .description("check this deployment without changing it: config, databases and migrations, signing keys, secrets key, sys, " +
      "clocks, mail, the embedded data directory; exit 1 on any FAIL")
    .option("--json", "print the checks as one JSON document")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { json: _json, ...settings } = command.optsWithGlobals();
      process.exit(await runDoctor(() => configFrom(settings), options));
    });
}

/** Runs every check, prints them, returns the exit code. `load` reads the config as the server would. */
export async function runDoctor(load: () => Config, options: { json?: boolean } = {}): Promise<number> {
  const results = await checkDeployment(load);
  process.stdout.write(options.json ? formatJson(results) : formatText(results));
  return exitCodeOf(results);
}

export interface DeploymentCheckOptions {
  /** The governance plugins the server offers (the shipped ones unless a composition root passes its own). */
  governancePlugins?: PluginDefinition[];
}

export async function checkDeployment(load: () => Config, options: DeploymentCheckOptions = {}): Promise<CheckResult[]> {
  let config: Config;
  try {
    config = load();
  } catch (error) {
    // Without a config nothing else can be checked. (An invalid config names each bad key on a line of its own.)
    return [failed("config", error instanceof Error ? error.message.replace(/\n\s*/g, " ") : String(error))];
  }
  const results: CheckResult[] = [ok("config", `valid: tiers ${config.tiers.join(", ")}${config.modules.length ? `; modules ${config.modules.join(", ")}` : ""}`)];
  const tiers = (["sys", "mod"] as const).filter((tier) => config.tiers.includes(tier) || (tier === "mod" && config.tiers.includes("worker")));
  let embedded: EmbeddedState | undefined;
  if (tiers.some((tier) => !databaseUrlFor(config, tier))) {
    embedded = checkDataDir(config);
    results.push(...embedded.results);
  }
  for (const tier of tiers) {
    const known = migrationNames(tier === "sys" ? createSysModules() : createModModules());
    const url = databaseUrlFor(config, tier);
    results.push(...(url ? await checkPostgresTier(tier, url, known, config) : await checkEmbeddedTier(tier, known, config, embedded!)));
  }
  if (tiers.includes("mod") && (!config.modules.length || config.modules.includes("governance"))) {
    results.push(checkGovernancePlugins(options.governancePlugins ?? createShippedPlugins()));
  }
  if (!config.tiers.includes("sys") && config.sysUrl) results.push(...(await checkSys(config.sysUrl)));
  // Only sys sends email (verification, password reset, invitations).
  if (config.tiers.includes("sys")) results.push(await checkMail(config));
  return results;
}

// The server compiles a plugin's schemas when a request first needs them; a broken one is found here instead.
function checkGovernancePlugins(plugins: PluginDefinition[]): CheckResult {
  const problems = createPluginRegistry(plugins).schemaProblems();
  if (problems.length) return failed("governance plugins", `schemas that do not compile: ${problems.join("; ")}`);
  return ok("governance plugins", `${plugins.length} plugins, every schema compiles`);
}

function migrationNames(modules: Array<Pick<PolityModule<never>, "migrations">>): string[] {
  return modules.flatMap((m) => m.migrations.map((migration) => migration.name)).sort();
}
