// One module per binary: which mod modules this process serves and runs (`--modules`), which it starts only to
// lend their ports to those, and where the others' calls are forwarded (`moduleUrls`).
//
// Modules share the mod database, and every port reads and writes that database (and hears its notifications),
// so a module's port works the same in any process: a dependency that is not listed is started for its port
// alone — no services, no routes, no background work — and the listed module runs as it would beside it.
import { ConfigError, type Config } from "../core/config.js";
import type { ModContext, PolityModule } from "../core/module.js";
import { MOD_DEPENDENCIES, MOD_MODULE_IDS, MOD_MODULE_PATHS, type ModModuleId, type ModModuleInstance } from "./modules.js";

export interface ModModuleSelection {
  /** Served (services, HTTP routes) and worked (with the worker tier) here. */
  served: ModModuleId[];
  /** Started only for the ports of the served ones. */
  portsOnly: ModModuleId[];
}

export interface ForwardTarget {
  module: ModModuleId;
  url: string;
  /** The request paths the module answers. */
  prefixes: readonly string[];
}

const known = new Set<string>(MOD_MODULE_IDS);

function unknownModule(setting: string, name: string): ConfigError {
  return new ConfigError(`invalid configuration:\n  ${setting}: unknown module "${name}"; the modules are ${MOD_MODULE_IDS.join(", ")}`);
}

/** The modules `config.modules` lists (all when empty) and their dependencies, in start order. Throws ConfigError. */
export function selectModModules(listed: readonly string[]): ModModuleSelection {
  for (const name of listed) if (!known.has(name)) throw unknownModule("modules (POLITY_MODULES, --modules)", name);
  const served = MOD_MODULE_IDS.filter((id) => listed.length === 0 || listed.includes(id));
  const needed = new Set<ModModuleId>();
  const visit = (id: ModModuleId) => {
    for (const dependency of MOD_DEPENDENCIES[id]) {
      if (needed.has(dependency)) continue;
      needed.add(dependency);
      visit(dependency);
    }
  };
  served.forEach(visit);
  return { served, portsOnly: MOD_MODULE_IDS.filter((id) => needed.has(id) && !served.includes(id)) };
}

/** The module instances the mod tier runs: the served ones whole, the dependencies for their ports alone. */
export function modulesToRun(instances: readonly ModModuleInstance[], selection: ModModuleSelection): PolityModule<ModContext>[] {
  return instances.flatMap((instance) => {
    if (selection.served.includes(instance.id)) return [instance.module];
    return selection.portsOnly.includes(instance.id) ? [forItsPortOnly(instance)] : [];
  });
}

function forItsPortOnly({ module, preparePort }: ModModuleInstance): PolityModule<ModContext> {
  return {
    ...module,
    services: () => [],
    routes: undefined,
    work: undefined,
    async start(ctx) {
      await module.start?.(ctx);
      preparePort?.(ctx);
    },
  };
}

/** Where to forward the modules this process does not serve (`config.moduleUrls`). Throws ConfigError. */
export function forwardTargets(moduleUrls: Config["moduleUrls"], selection: ModModuleSelection): ForwardTarget[] {
  for (const name of Object.keys(moduleUrls)) if (!known.has(name)) throw unknownModule("moduleUrls (POLITY_MODULE_URLS)", name);
  // A module served here is answered here: one map can be given to every process of a deployment.
  return MOD_MODULE_IDS.filter((id) => moduleUrls[id] && !selection.served.includes(id)).map((id) => ({ module: id, url: moduleUrls[id]!, prefixes: MOD_MODULE_PATHS[id] }));
}
