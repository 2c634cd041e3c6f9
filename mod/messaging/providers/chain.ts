// Which providers carry a message to a recipient, in order: the contact's override chain, else the message
// category's chain, else the org's default chain, else (no chain configured) every enabled provider of the org
// in the order of the contact's addresses. Only providers whose channel the recipient can be reached on
// (a consented address, not opted out) are kept. Shared contract: names and shapes are binding.
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { openSecrets } from "../../../sys/core/secrets/sealed-config.js";
import { isUuid } from "../../../sys/core/sql.js";
import type { Recipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import type { JsonObject, ProviderDefinition } from "../services/sdk/define-provider.js";
import { ChainEntity, ProviderEntity } from "./entities.js";
import { definitionOf } from "./kinds.js";
import type { ChainRow, ProviderRow } from "./rows.js";
import { publicBaseUrl } from "../public-url.js";

export interface ResolvedProvider {
  id: string;
  orgId: string;
  kind: string;
  channel: Channel;
  name: string;
  ratePerSecond: number;
  /** Secrets opened: hand it to the plugin only. */
  config: JsonObject;
  definition: ProviderDefinition;
  enabled: boolean;
}

/** When neither the org nor the kind says: one message a second, the slowest common provider limit. */
export const FALLBACK_RATE_PER_SECOND = 1;

export async function resolveChain(deps: MessagingDeps, em: EntityManager, recipient: Recipient, category?: string): Promise<ResolvedProvider[]> {
  const scopes: Array<[string, string]> = [];
  if (recipient.contactId) scopes.push(["contact", recipient.contactId]);
  if (category) scopes.push(["category", category]);
  scopes.push(["org", ""]);
  const chains = (await em.find(ChainEntity, { orgId: recipient.orgId, $or: scopes.map(([scope, scopeKey]) => ({ scope, scopeKey })) })) as ChainRow[];
  const chain = scopes.map(([scope, key]) => chains.find((c) => c.scope === scope && c.scopeKey === key)).find((c) => c !== undefined);

  const reachable = reachableChannels(recipient);
  let rows: ProviderRow[];
  if (chain) {
    const found = (await em.find(ProviderEntity, { orgId: recipient.orgId, id: { $in: chain.providerIds }, enabled: true })) as ProviderRow[];
    const byId = new Map(found.map((r) => [r.id, r]));
    rows = chain.providerIds.map((id) => byId.get(id)).filter((r): r is ProviderRow => r !== undefined);
  } else {
    const all = (await em.find(ProviderEntity, { orgId: recipient.orgId, enabled: true }, { orderBy: { createdAt: "asc", id: "asc" } })) as ProviderRow[];
    rows = reachable.flatMap((channel) => all.filter((r) => r.channel === channel));
  }
  return rows.filter((r) => reachable.includes(r.channel)).flatMap((r) => {
    const resolved = resolve(deps, r);
    return resolved ? [resolved] : [];
  });
}

/** One provider of the org (enabled or not), secrets opened; NOT_FOUND when the org has no such provider. */
export async function loadProvider(deps: MessagingDeps, em: EntityManager, orgId: string, providerId: string): Promise<ResolvedProvider> {
  const row = isUuid(providerId) ? ((await em.findOne(ProviderEntity, { id: providerId, orgId })) as ProviderRow | null) : null;
  const resolved = row ? resolve(deps, row) : undefined;
  if (!resolved) throw notFound("provider", providerId);
  return resolved;
}

/** Where the provider posts inbound messages and status callbacks (give this URL to the provider). */
export function providerWebhookUrl(deps: MessagingDeps, providerId: string): string {
  return `${publicBaseUrl(deps)}/api/messaging/hooks/${providerId}`;
}

/** The channels in the contact's order of addresses, each once, that it consented to and did not opt out of. */
export function reachableChannels(recipient: Recipient): Channel[] {
  const channels: Channel[] = [];
  for (const address of recipient.addresses) {
    if (address.consented && !recipient.optedOut.includes(address.channel) && !channels.includes(address.channel)) channels.push(address.channel);
  }
  return channels;
}

export function resolve(deps: MessagingDeps, row: ProviderRow): ResolvedProvider | undefined {
  const definition = definitionOf(deps, row.kind);
  if (!definition) {
    deps.logger.warn({ provider: row.id, kind: row.kind }, "provider of a kind this server does not offer; skipped");
    return undefined;
  }
  return {
    id: row.id,
    orgId: row.orgId,
    kind: row.kind,
    channel: row.channel as Channel,
    name: row.name,
    ratePerSecond: row.ratePerSecond ?? definition.defaultRatePerSecond ?? FALLBACK_RATE_PER_SECOND,
    config: { ...(row.config as JsonObject), ...(openSecrets(deps.secrets, row.id, row.secrets) as JsonObject) },
    definition: definition as ProviderDefinition,
    enabled: row.enabled,
  };
}

/**
 * resolveChain for a whole batch of sends, in two queries per org (its chains for the batch's scopes, its enabled
 * providers) however many messages: the same order and filtering, read afresh per batch so an edit applies to the
 * next batch. Opened provider configs are reused while the provider row is unchanged (see openedProvider).
 */
export async function resolveChains(deps: MessagingDeps, em: EntityManager, items: Array<{ recipient: Recipient; category?: string }>): Promise<ResolvedProvider[][]> {
  const byOrg = new Map<string, { chains: ChainRow[]; providers: ProviderRow[] }>();
  for (const orgId of new Set(items.map((i) => i.recipient.orgId))) {
    const mine = items.filter((i) => i.recipient.orgId === orgId);
    const contacts = [...new Set(mine.flatMap((i) => (i.recipient.contactId ? [i.recipient.contactId] : [])))];
    const categories = [...new Set(mine.flatMap((i) => (i.category ? [i.category] : [])))];
    const scopes: object[] = [{ scope: "org", scopeKey: "" }];
    if (contacts.length > 0) scopes.push({ scope: "contact", scopeKey: { $in: contacts } });
    if (categories.length > 0) scopes.push({ scope: "category", scopeKey: { $in: categories } });
    const [chains, providers] = await Promise.all([
      em.find(ChainEntity, { orgId, $or: scopes } as never) as Promise<ChainRow[]>,
      em.find(ProviderEntity, { orgId, enabled: true }, { orderBy: { createdAt: "asc", id: "asc" } }) as Promise<ProviderRow[]>,
    ]);
    byOrg.set(orgId, { chains, providers });
  }
  return items.map(({ recipient, category }) => {
    const { chains, providers } = byOrg.get(recipient.orgId)!;
    const find = (scope: string, key: string) => chains.find((c) => c.scope === scope && c.scopeKey === key);
    const chain = (recipient.contactId ? find("contact", recipient.contactId) : undefined) ?? (category ? find("category", category) : undefined) ?? find("org", "");
    const reachable = reachableChannels(recipient);
    const rows = chain
      ? chain.providerIds.flatMap((id) => providers.filter((p) => p.id === id))
      : reachable.flatMap((channel) => providers.filter((p) => p.channel === channel));
    return rows.filter((r) => reachable.includes(r.channel)).flatMap((r) => {
      const resolved = openedProvider(deps, r);
      return resolved ? [resolved] : [];
    });
  });
}

// Opening a provider's secrets per message is pure waste in a blast: an opened config is kept per provider row
// version (its updated_at), for this module instance only, and dropped wholesale when the cache grows large.
const opened = new WeakMap<MessagingDeps, Map<string, ResolvedProvider | undefined>>();
const OPENED_MAX = 1000;

function openedProvider(deps: MessagingDeps, row: ProviderRow): ResolvedProvider | undefined {
  let cache = opened.get(deps);
  if (!cache) opened.set(deps, (cache = new Map()));
  const key = `${row.id}@${new Date(row.updatedAt as Date).getTime()}`;
  if (cache.has(key)) return cache.get(key);
  if (cache.size >= OPENED_MAX) cache.clear();
  const resolved = resolve(deps, row);
  cache.set(key, resolved);
  return resolved;
}
