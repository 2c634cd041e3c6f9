// The provider kinds one server offers: the shipped plugins, or any list the composition root gives.
import type { ProviderDefinition } from "./sdk/define-provider.js";
import { shippedProviders } from "./plugins/shipped.js";

export interface ProviderRegistry {
  /** The kind's definition, or undefined when this server does not offer it. */
  get(kind: string): ProviderDefinition | undefined;
  list(): ProviderDefinition[];
}

export function createProviderRegistry(definitions: ProviderDefinition[]): ProviderRegistry {
  const byKind = new Map<string, ProviderDefinition>();
  for (const definition of definitions) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(definition.kind)) throw new Error(`provider kind "${definition.kind}" must be lower-case letters, digits and dashes`);
    if (byKind.has(definition.kind)) throw new Error(`provider kind "${definition.kind}" is defined twice`);
    byKind.set(definition.kind, definition);
  }
  const list = [...byKind.values()];
  return { get: (kind) => byKind.get(kind), list: () => [...list] };
}

/** The providers Polity ships: email (SMTP), sms (Twilio-shaped), telegram, webhook, slack and discord. */
export function createShippedProviders(): ProviderDefinition[] {
  return shippedProviders();
}
