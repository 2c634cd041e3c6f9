// Which modules each tier runs, in start order. A new module is added here, nowhere else: the host only
// composes the instances it is given.
import { createContributionsModule } from "../../mod/contributions/index.js";
import { createDiscoModule } from "../../mod/disco/module.js";
import { createGovernanceModule } from "../../mod/governance/index.js";
import { createMessagingModule } from "../../mod/messaging/index.js";
import type { PluginDefinition } from "../../mod/governance/index.js";
import { createVotingModule } from "../../mod/voting/index.js";
import { createAccountModule } from "../account/module.js";
import { createAuthModule } from "../auth/module.js";
import { createAuthzModule } from "../authz/module.js";
import { createCommunityModule } from "../community/module.js";
import { createIdentityModule } from "../identity/module.js";
import { createTimeModule } from "../timespace/time/module.js";
import { createPlacesModule } from "../timespace/places/module.js";
import type { ModContext, PolityModule } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";

export function createSysModules(): PolityModule<SysContext>[] {
  return [createAuthzModule(), createAccountModule(), createAuthModule(), createCommunityModule(), createIdentityModule(), createTimeModule(), createPlacesModule()];
}

/** The mod modules, in start order: a module starts after those whose ports it uses. */
export const MOD_MODULE_IDS = ["disco", "voting", "governance", "contributions", "messaging"] as const;
export type ModModuleId = (typeof MOD_MODULE_IDS)[number];

/**
 * Whose ports each module calls in process. The wiring below can only hand a module the ports listed here, so the
 * table and the code cannot drift apart.
 */
export const MOD_DEPENDENCIES: Readonly<Record<ModModuleId, readonly ModModuleId[]>> = {
  disco: [],
  voting: [],
  governance: ["voting"], // the `polity` plugin runs polls
  contributions: ["governance"], // GitHub events
  messaging: ["voting", "governance", "disco"], // notifications follow polls, processes and campaign crossings
};

/**
 * The request paths each module answers, for forwarding and gateways: its gRPC package (every protocol's path is
 * `/<package>.<Service>/<Method>`), then the plain HTTP routes it serves (webhooks, Metagov's API, unsubscribe links).
 */
export const MOD_MODULE_PATHS: Readonly<Record<ModModuleId, readonly string[]>> = {
  disco: ["/polity.mod.disco."],
  voting: ["/polity.mod.voting."],
  governance: ["/polity.mod.governance.", "/api/hooks/", "/api/internal/", "/api/action/"],
  contributions: ["/polity.mod.contributions."],
  messaging: ["/polity.mod.messaging.", "/api/messaging/"],
};

export interface ModModulesOptions {
  /** The governance plugins to offer instead of the shipped ones (tests add probes). */
  governancePlugins?: PluginDefinition[];
}

/** A mod module instance, with what a module that only lends its port needs done before the port works. */
export interface ModModuleInstance {
  id: ModModuleId;
  module: PolityModule<ModContext>;
  /** Builds what the port reads when the module runs for its port alone (neither serves nor works here). */
  preparePort?(ctx: ModContext): void;
}

/** Every mod module, in start order. */
export function createModModules(options: ModModulesOptions = {}): PolityModule<ModContext>[] {
  return createModModuleInstances(options).map((instance) => instance.module);
}

export function createModModuleInstances(options: ModModulesOptions = {}): ModModuleInstance[] {
  const disco = createDiscoModule();
  const voting = createVotingModule();
  const ports = { disco: () => disco.port(), voting: () => voting.port(), governance: () => governance.port() };
  // A module is given only the ports MOD_DEPENDENCIES lists for it; anything else is a wiring mistake, said at once.
  const portFor = <T extends keyof typeof ports>(user: ModModuleId, lender: T): (typeof ports)[T] => {
    if (!MOD_DEPENDENCIES[user].includes(lender)) throw new Error(`${user} uses ${lender}'s port, which MOD_DEPENDENCIES does not list`);
    return ports[lender];
  };
  const governance = createGovernanceModule({ voting: portFor("governance", "voting"), plugins: options.governancePlugins });
  const contributions = createContributionsModule({ governance: portFor("contributions", "governance") });
  const messaging = createMessagingModule({ voting: portFor("messaging", "voting"), governance: portFor("messaging", "governance"), disco: portFor("messaging", "disco") });
  return [
    // disco builds its port's parts only when it serves or works; lending the port alone, it builds them at start.
    { id: "disco", module: disco, preparePort: (ctx) => void disco.depsFor(ctx) },
    { id: "voting", module: voting },
    { id: "governance", module: governance },
    { id: "contributions", module: contributions },
    { id: "messaging", module: messaging },
  ];
}
