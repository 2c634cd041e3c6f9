// ListActivity and WatchActivity. Both copy new membership events into the log first (lazily), so a reader
// always sees the community's membership history up to now.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ListActivityResponseSchema, WatchActivityResponseSchema, type VotingService,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import type { ModContext } from "../../../sys/core/module.js";
import { createNotifier, type Notifier } from "../../../sys/core/notifier.js";
import { activityChannel } from "./append.js";
import { ActivityEntry, ActivityHead } from "./entities.js";
import { syncQuietly } from "./membership-sync.js";
import { rowToProto, type EntryRow } from "./proto.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { watchRows } from "../../../sys/core/watch-rows.js";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const WATCH_BATCH = 500;
// Notifications only wake a watcher early; it re-reads the table anyway, so a lost notification costs latency,
// never an entry.
const WATCH_POLL_MS = 5_000;

export async function headSequence(em: EntityManager, communityId: string): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(em,
    `select sequence from ${tableOf(em, ActivityHead)} where community_id = ?`, [communityId]);
  return Number(row?.sequence ?? 0);
}

export async function readEntries(em: EntityManager, communityId: string, after: number, upTo: number, limit: number): Promise<EntryRow[]> {
  return query<EntryRow>(em,
    `select * from ${tableOf(em, ActivityEntry)} where community_id = ? and sequence > ? and sequence <= ? order by sequence limit ?`,
    [communityId, after, upTo, limit]);
}

/**
 * `notifier` should be the module's own (one LISTEN connection per process); without it one is created on the
 * first WatchActivity call and lives as long as the process.
 */
export function createActivityHandlers(ctx: ModContext, notifier?: Notifier): Partial<ServiceImpl<typeof VotingService>> {
  const notifications = () => (notifier ??= createNotifier(ctx.db, ctx.logger));
  return {
    async listActivity(req, call) {
      await syncQuietly(ctx, req.communityId, bearerOf(call));
      const em = ctx.db.em();
      // The head first: every entry up to it is committed, so the page and head_sequence agree.
      const head = await headSequence(em, req.communityId);
      const size = Math.min(req.pageSize || DEFAULT_PAGE, MAX_PAGE);
      const rows = await readEntries(em, req.communityId, Number(req.afterSequence), head, size);
      return create(ListActivityResponseSchema, { entries: rows.map(rowToProto), headSequence: BigInt(head) });
    },

    async *watchActivity(req, call) {
      let lastSync = 0;
      const rows = watchRows({
        notifier: notifications(), channel: activityChannel(req.communityId), signal: call.signal, start: Number(req.afterSequence),
        batch: WATCH_BATCH, pollMs: WATCH_POLL_MS, positionOf: (row: EntryRow) => Number(row.sequence),
        read: async (after, limit) => {
          if (Date.now() - lastSync >= WATCH_POLL_MS) {
            await syncQuietly(ctx, req.communityId, bearerOf(call));
            lastSync = Date.now();
          }
          return readEntries(ctx.db.em(), req.communityId, after, Number.MAX_SAFE_INTEGER, limit);
        },
      });
      for await (const row of rows) yield create(WatchActivityResponseSchema, { entry: rowToProto(row) });
    },
  };
}
