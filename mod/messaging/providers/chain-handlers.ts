// The chain RPCs: one ordered provider list per scope (the org default, a category, a contact override).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Chain, ChainSchema, type ChainScope, ChainScopeSchema, type ProviderService } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { loadRecipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { ChainEntity, ProviderEntity } from "./entities.js";
import type { ChainRow } from "./rows.js";

type Handlers = Pick<ServiceImpl<typeof ProviderService>, "setChain" | "getChain" | "listChains" | "deleteChain">;

/** The stored (scope, key) of a proto scope (the proto guarantees exactly one case is set). */
export function scopeKeyOf(scope: ChainScope | undefined): { scope: string; scopeKey: string } {
  switch (scope?.scope.case) {
    case "category":
      return { scope: "category", scopeKey: scope.scope.value };
    case "contactId":
      return { scope: "contact", scopeKey: scope.scope.value.toLowerCase() };
    default:
      return { scope: "org", scopeKey: "" };
  }
}

function scopeToProto(row: ChainRow): ChainScope {
  if (row.scope === "category") return create(ChainScopeSchema, { scope: { case: "category", value: row.scopeKey } });
  if (row.scope === "contact") return create(ChainScopeSchema, { scope: { case: "contactId", value: row.scopeKey } });
  return create(ChainScopeSchema, { scope: { case: "orgDefault", value: true } });
}

export function chainToProto(row: ChainRow): Chain {
  return create(ChainSchema, { scope: scopeToProto(row), providerIds: row.providerIds, updatedBy: row.updatedBy, updateTime: timestampFromDate(row.updatedAt) });
}

const describeScope = ({ scope, scopeKey }: { scope: string; scopeKey: string }) => (scope === "org" ? "org default" : `${scope} ${scopeKey}`);

export function createChainHandlers(deps: MessagingDeps): Handlers {
  const find = async (em: EntityManager, orgId: string, scope: ChainScope | undefined) => {
    const key = scopeKeyOf(scope);
    const row = (await em.findOne(ChainEntity, { orgId, ...key })) as ChainRow | null;
    if (!row) throw notFound("chain", describeScope(key));
    return row;
  };

  return {
    async setChain(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      const key = scopeKeyOf(req.scope);
      const ids = req.providerIds.map((id) => id.toLowerCase());
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        if (key.scope === "contact" && !(await loadRecipient(deps, tx, req.orgId, { contactId: key.scopeKey }))) throw notFound("contact", key.scopeKey);
        // A share lock on each provider: a concurrent DeleteProvider waits for this chain, then sees it.
        const found = await query<{ id: string }>(tx, `select id from ${tableOf(tx, ProviderEntity)} where org_id = ? and id in (${ids.map(() => "?").join(", ")}) for share`, [req.orgId, ...ids]);
        const missing = ids.find((id) => !found.some((f) => f.id === id));
        if (missing) throw notFound("provider", missing);
        const now = new Date();
        let chain = (await tx.findOne(ChainEntity, { orgId: req.orgId, ...key })) as ChainRow | null;
        if (!chain) chain = tx.create(ChainEntity, { id: crypto.randomUUID(), orgId: req.orgId, ...key, providerIds: ids, updatedBy: actor, createdAt: now, updatedAt: now }) as ChainRow;
        chain.providerIds = ids;
        chain.updatedBy = actor;
        chain.updatedAt = now;
        await tx.flush();
        return chain;
      });
      return { chain: chainToProto(row) };
    },

    async getChain(req) {
      return { chain: chainToProto(await find(deps.db.em(), req.orgId, req.scope)) };
    },

    async listChains(req) {
      const size = pageSizeOf(req.pageSize);
      const rows = (await deps.db.em().find(ChainEntity, { orgId: req.orgId, ...afterCursor(decodeCursor(req.pageToken)) }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 })) as ChainRow[];
      const page = pageOf(rows, size);
      return { chains: page.items.map(chainToProto), nextPageToken: page.nextPageToken };
    },

    async deleteChain(req) {
      const em = deps.db.em();
      await em.remove(await find(em, req.orgId, req.scope)).flush();
      return {};
    },
  };
}
