// ListLedger, ReverseEntry and Reconcile: the admins' view of the points and their hand on them.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContributionsService } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { decodeCursor, encodeCursor, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { ContributionsDeps } from "../deps.js";
import { LedgerEntity } from "../entities.js";
import { ledgerRowOf } from "../ledger/entries.js";
import { reverseEntry } from "../ledger/reverse.js";
import { reconcileCommunity } from "../reconcile/reconcile.js";
import { ledgerEntryToProto } from "./codec.js";

type Handlers = Pick<ServiceImpl<typeof ContributionsService>, "listLedger" | "reverseEntry" | "reconcile">;

export function createLedgerHandlers(deps: ContributionsDeps): Handlers {
  return {
    async listLedger(req) {
      const size = pageSizeOf(req.pageSize, 500);
      const cursor = decodeCursor(req.pageToken);
      const em = deps.db.em();
      const where = ["community_id = ?"];
      const params: unknown[] = [req.communityId];
      if (req.accountId) (where.push("account_id = ?"), params.push(req.accountId));
      if (cursor) (where.push("(created_at < ? or (created_at = ? and id < ?))"), params.push(cursor.createdAt, cursor.createdAt, cursor.id));
      const rows = (await query<Record<string, unknown>>(em, `select * from ${tableOf(em, LedgerEntity)} where ${where.join(" and ")} order by created_at desc, id desc limit ?`, [...params, size + 1])).map(ledgerRowOf);
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        entries: page.map(ledgerEntryToProto),
        nextPageToken: rows.length > size && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : "",
      };
    },
    async reverseEntry(req) {
      const entry = await deps.db.em().transactional((tx) => reverseEntry(tx as EntityManager, req.communityId, req.entryId, req.note));
      return { entry: ledgerEntryToProto(entry) };
    },
    async reconcile(req) {
      return reconcileCommunity(deps, req.communityId);
    },
  };
}
