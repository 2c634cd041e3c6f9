// The provider RPCs: kinds offered, and an org's providers created, read, updated and deleted. Input rules and
// permissions come from the proto; what is checked here is what only the data can tell.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ProviderService } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { alreadyExists, apiError, failedPrecondition } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { flushUnique, query, tableOf } from "../../../sys/core/sql.js";
import { Code } from "@connectrpc/connect";
import type { MessagingDeps } from "../deps.js";
import type { ProviderDefinition } from "../services/sdk/define-provider.js";
import { ChainEntity, ProviderEntity } from "./entities.js";
import { definitionOf, providerKinds } from "./kinds.js";
import { applyConfig, kindToProto, providerRow, providerToProto } from "./provider-store.js";
import type { ProviderRow } from "./rows.js";

type Handlers = Pick<ServiceImpl<typeof ProviderService>, "listProviderKinds" | "createProvider" | "getProvider" | "listProviders" | "updateProvider" | "deleteProvider">;

export function createProviderHandlers(deps: MessagingDeps): Handlers {
  const kindOf = (kind: string): ProviderDefinition => {
    const definition = definitionOf(deps, kind);
    if (!definition) {
      const offered = providerKinds(deps).list().map((d: ProviderDefinition) => d.kind).sort().join(", ") || "none";
      throw apiError(Code.InvalidArgument, "UNKNOWN_PROVIDER_KIND", `kind: no provider kind ${kind} (this server offers: ${offered})`, { field: "kind" });
    }
    return definition;
  };
  const taken = (name: string) => () => alreadyExists("provider", name);

  return {
    async listProviderKinds() {
      const kinds = [...providerKinds(deps).list()] as ProviderDefinition[];
      return { kinds: kinds.sort((a, b) => a.kind.localeCompare(b.kind)).map(kindToProto) };
    },

    async createProvider(req) {
      const definition = kindOf(req.kind);
      const now = new Date();
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const created = tx.create(ProviderEntity, {
          id: crypto.randomUUID(), orgId: req.orgId, kind: req.kind, channel: definition.channel, name: req.name, config: {}, secrets: null,
          enabled: !req.disabled, ratePerSecond: req.ratePerSecond ? req.ratePerSecond : null, createdAt: now, updatedAt: now,
        }) as ProviderRow;
        applyConfig(deps, definition, created, req.config ?? {});
        await flushUnique(tx, taken(req.name));
        return created;
      });
      deps.logger.info({ org: req.orgId, provider: row.id, kind: row.kind }, "messaging provider created");
      return { provider: providerToProto(deps, row) };
    },

    async getProvider(req) {
      return { provider: providerToProto(deps, await providerRow(deps.db.em(), req.orgId, req.providerId)) };
    },

    async listProviders(req) {
      const size = pageSizeOf(req.pageSize);
      const rows = (await deps.db.em().find(ProviderEntity,
        { orgId: req.orgId, ...(req.channel ? { channel: req.channel } : {}), ...afterCursor(decodeCursor(req.pageToken)) },
        { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 })) as ProviderRow[];
      const page = pageOf(rows, size);
      return { providers: page.items.map((r) => providerToProto(deps, r)), nextPageToken: page.nextPageToken };
    },

    async updateProvider(req) {
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const found = await providerRow(tx, req.orgId, req.providerId);
        if (req.name !== undefined) found.name = req.name;
        if (req.config) applyConfig(deps, kindOf(found.kind), found, req.config);
        if (req.ratePerSecond !== undefined) found.ratePerSecond = req.ratePerSecond || null;
        if (req.enabled !== undefined) found.enabled = req.enabled;
        found.updatedAt = new Date();
        await flushUnique(tx, taken(found.name));
        return found;
      });
      return { provider: providerToProto(deps, row) };
    },

    async deleteProvider(req) {
      await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const row = await providerRow(tx, req.orgId, req.providerId);
        // Its row lock first: a SetChain naming it (which takes a share lock) either committed before this
        // reads the chains, or waits and then finds the provider gone.
        await query(tx, `select id from ${tableOf(tx, ProviderEntity)} where id = ? for update`, [row.id]);
        const chains = await query<{ scope: string; scope_key: string }>(tx,
          `select scope, scope_key from ${tableOf(tx, ChainEntity)} where org_id = ? and ? = any(provider_ids) for update`, [req.orgId, row.id]);
        if (chains.length) {
          const named = chains.map((c) => (c.scope === "org" ? "the org default" : `${c.scope} ${c.scope_key}`)).join(", ");
          throw failedPrecondition("PROVIDER_IN_CHAIN", `provider ${row.name} is in the chain(s) of ${named}; change them first, or disable the provider`);
        }
        await tx.remove(row).flush();
      });
      return {};
    },
  };
}
