// ListEvents and WatchEvents: the community's event stream in sequence order, filtered by type, resumable from
// a cursor.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type GovernanceService, WatchEventsResponseSchema } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { watchRows } from "../../../sys/core/watch-rows.js";
import { eventsChannel, type GovernanceDeps } from "../deps.js";
import { EventEntity, EventHeadEntity } from "../entities.js";
import { type EventRow, eventToProto } from "./store.js";

const DEFAULT_PAGE = 100;
const WATCH_BATCH = 200;
const WATCH_POLL_MS = 5_000;

// The proto allows only digits in a cursor; "" is the start.
const cursorOf = (text: string): number => Number(text || 0);

async function readEvents(em: EntityManager, communityId: string, after: number, types: string[], limit: number): Promise<EventRow[]> {
  const filter = types.length ? `and type in (${types.map(() => "?").join(", ")})` : "";
  return query<EventRow>(em, `select * from ${tableOf(em, EventEntity)} where community_id = ? and sequence > ? ${filter} order by sequence limit ?`, [communityId, after, ...types, limit]);
}

async function headOf(em: EntityManager, communityId: string): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(em, `select sequence from ${tableOf(em, EventHeadEntity)} where community_id = ?`, [communityId]);
  return Number(row?.sequence ?? 0);
}

export function createEventHandlers(deps: GovernanceDeps): Pick<ServiceImpl<typeof GovernanceService>, "listEvents" | "watchEvents"> {
  const { db, notifier } = deps;
  return {
    async listEvents(req) {
      const after = cursorOf(req.afterCursor);
      const rows = await readEvents(db.em(), req.communityId, after, req.types, Math.min(req.pageSize || DEFAULT_PAGE, 500));
      return { events: rows.map(eventToProto), cursor: rows.length ? String(rows[rows.length - 1].sequence) : req.afterCursor };
    },

    async *watchEvents(req, call) {
      // Without a cursor, only what happens from now on.
      const start = req.afterCursor === "" ? await headOf(db.em(), req.communityId) : cursorOf(req.afterCursor);
      const rows = watchRows({
        notifier, channel: eventsChannel(req.communityId), signal: call.signal, start, batch: WATCH_BATCH, pollMs: WATCH_POLL_MS,
        positionOf: (row: EventRow) => Number(row.sequence),
        read: (after, limit) => readEvents(db.em(), req.communityId, after, req.types, limit),
      });
      for await (const row of rows) yield create(WatchEventsResponseSchema, { event: eventToProto(row) });
    },
  };
}
