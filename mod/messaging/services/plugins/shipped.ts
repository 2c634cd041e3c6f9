// The provider plugins Polity ships, in the order they are listed.
import type { ProviderDefinition } from "../sdk/define-provider.js";

export function shippedProviders(): ProviderDefinition[] {
  return [];
}
