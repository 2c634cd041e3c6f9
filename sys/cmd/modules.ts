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

export interface ModModulesOptions {
  /** The governance plugins to offer instead of the shipped ones (tests add probes). */
  governancePlugins?: PluginDefinition[];
}

export function createModModules(options: ModModulesOptions = {}): PolityModule<ModContext>[] {
  const voting = createVotingModule();
  // Governance after voting: its `polity` plugin runs polls through the voting module's port; contributions after
  // governance: it reads GitHub events through governance's port.
  const governance = createGovernanceModule({ voting: () => voting.port(), plugins: options.governancePlugins });
  // Messaging last: its notifications follow what voting and governance commit, through their ports.
  // …and disco's campaign threshold crossings.
  const disco = createDiscoModule();
  return [
    disco, voting, governance, createContributionsModule({ governance: () => governance.port() }),
    createMessagingModule({ voting: () => voting.port(), governance: () => governance.port(), disco: () => disco.port() }),
  ];
}
