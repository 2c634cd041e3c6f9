// The provider kinds one server offers: the shipped plugins, or any list the composition root gives.
import { createSchemaCompiler } from "../../governance/index.js";
import type { ProviderDefinition } from "./sdk/define-provider.js";
import { shippedProviders } from "./plugins/shipped.js";

export interface ProviderRegistry {
  /** The kind's definition, or undefined when this server does not offer it. */
  get(kind: string): ProviderDefinition | undefined;
  list(): ProviderDefinition[];
}

const compile = createSchemaCompiler();

export function createProviderRegistry(definitions: ProviderDefinition[]): ProviderRegistry {
  const byKind = new Map<string, ProviderDefinition>();
  for (const definition of definitions) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(definition.kind)) throw new Error(`provider kind "${definition.kind}" must be lower-case letters, digits and dashes`);
    if (byKind.has(definition.kind)) throw new Error(`provider kind "${definition.kind}" is defined twice`);
    // A schema Ajv cannot compile would otherwise fail on the first provider an admin creates.
    try {
      compile(definition.configSchema);
    } catch (error) {
      throw new Error(`provider kind "${definition.kind}" has an invalid config schema: ${(error as Error).message}`);
    }
    byKind.set(definition.kind, definition);
  }
  const list = [...byKind.values()];
  return { get: (kind) => byKind.get(kind), list: () => [...list] };
}

/** The providers Polity ships: email (SMTP), sms (Twilio-shaped), telegram, webhook, slack and discord. */
export function createShippedProviders(): ProviderDefinition[] {
  return shippedProviders();
}
