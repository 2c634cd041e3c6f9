// The provider kinds (plugins) this module instance offers. The composition root may put its own registry on
// deps as `providerRegistry`; otherwise the shipped plugins are used, built once per deps.
import type { MessagingDeps } from "../deps.js";
import { createProviderRegistry, createShippedProviders, type ProviderRegistry } from "../services/registry.js";
import type { ProviderDefinition } from "../services/sdk/define-provider.js";

export type { ProviderRegistry };

const shipped = new WeakMap<MessagingDeps, ProviderRegistry>();

export function providerKinds(deps: MessagingDeps): ProviderRegistry {
  const given = (deps as MessagingDeps & { providerRegistry?: ProviderRegistry }).providerRegistry;
  if (given) return given;
  let registry = shipped.get(deps);
  if (!registry) shipped.set(deps, (registry = createProviderRegistry(createShippedProviders())));
  return registry;
}

/** The kind's definition, or undefined when this server no longer offers it (a provider row outlived its plugin). */
export function definitionOf(deps: MessagingDeps, kind: string): ProviderDefinition | undefined {
  return providerKinds(deps).get(kind);
}
