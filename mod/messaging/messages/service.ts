// MessageService. Permissions and input rules come from the proto; here: what only the data can tell.
import type { ServiceImpl } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { MessageService } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, invalidArgument, notFound } from "../../../sys/core/errors.js";
import { decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { watchRows } from "../../../sys/core/watch-rows.js";
import type { MessagingDeps } from "../deps.js";
import { attemptsOf } from "../delivery/attempts.js";
import { type MessageRow, readMessage } from "../delivery/message-row.js";
import { enqueueSends } from "../delivery/send-queue.js";
import { attemptToProto, historyToProto, messageToProto } from "./convert.js";
import { MessageEntity } from "./entities.js";
import { changesAfter, currentPosition, historyOf, listMessageRows, type WatchPosition } from "./reads.js";
import { sendMessageHandler } from "./send-handler.js";
import { MESSAGES_CHANNEL, recordMove } from "./store.js";

const WATCH_BATCH = 200;
const WATCH_POLL_MS = 5_000;

export function createMessageService(deps: MessagingDeps): ServiceImpl<typeof MessageService> {
  const mustRead = async (em: EntityManager, orgId: string, id: string, lock = false): Promise<MessageRow> => {
    const row = await readMessage(em, id, { orgId, lock });
    if (!row) throw notFound("message", id);
    return row;
  };

  return {
    sendMessage: sendMessageHandler(deps),

    async getMessage(req) {
      const em = deps.db.em();
      const row = await mustRead(em, req.orgId, req.messageId);
      const [history, attempts] = await Promise.all([historyOf(em, [row.id]), attemptsOf(em, [row.id])]);
      return { message: messageToProto(row), history: history.map(historyToProto), attempts: attempts.map(attemptToProto) };
    },

    async listMessages(req) {
      const size = pageSizeOf(req.pageSize);
      const rows = await listMessageRows(deps.db.em(), {
        orgId: req.orgId, contactId: req.contactId || undefined, states: req.states, direction: req.direction || undefined,
        blastId: req.blastId || undefined, since: req.since ? timestampDate(req.since) : undefined,
      }, decodeCursor(req.pageToken), size + 1);
      const page = pageOf(rows, size, (r) => ({ createdAt: new Date(r.created_at), id: r.id }));
      return { messages: page.items.map(messageToProto), nextPageToken: page.nextPageToken };
    },

    async *watchMessages(req, ctx) {
      const em = deps.db.em();
      const start = req.cursor ? parseCursor(req.cursor) : await currentPosition(em);
      let position = start;
      // watchRows counts positions as numbers; ours is a pair, so it is kept here and the rows' order is theirs.
      let counter = 0;
      for await (const change of watchRows({
        notifier: deps.notifier,
        channel: MESSAGES_CHANNEL(req.orgId),
        signal: ctx.signal,
        start: 0,
        read: async (_after, limit) => {
          const rows = await changesAfter(deps.db.em(), req.orgId, req.contactId || undefined, position, limit);
          if (rows.length > 0) position = { txid: Number(rows.at(-1)!.txid), id: Number(rows.at(-1)!.id) };
          return rows;
        },
        positionOf: () => ++counter,
        batch: WATCH_BATCH,
        pollMs: WATCH_POLL_MS,
      })) {
        yield { message: messageToProto(change.message), change: historyToProto(change), cursor: `${change.txid}.${change.id}` };
      }
    },

    async cancelMessage(req) {
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const found = await mustRead(tx, req.orgId, req.messageId, true);
        const sending = (await attemptsOf(tx, [found.id], found.round)).some((a) => a.outcome === null);
        const waiting = found.state === MessageState.PENDING || (found.state === MessageState.SENDING && !sending);
        if (found.direction !== Direction.OUTGOING || !waiting) {
          throw failedPrecondition("NOT_CANCELLABLE", `message ${found.id} is ${MessageState[found.state]}${sending ? " and a service is being called" : ""}: only a message no service has yet can be cancelled`);
        }
        await recordMove(tx, { messageId: found.id, orgId: found.org_id, contactId: found.contact_id, state: MessageState.CANCELLED, reason: "cancelled", at: new Date() });
        return mustRead(tx, req.orgId, req.messageId);
      });
      return { message: messageToProto(row) };
    },

    async listFailedMessages(req) {
      const em = deps.db.em();
      const size = pageSizeOf(req.pageSize);
      const rows = await listMessageRows(em, { orgId: req.orgId, states: [MessageState.FAILED], direction: Direction.OUTGOING }, decodeCursor(req.pageToken), size + 1);
      const page = pageOf(rows, size, (r) => ({ createdAt: new Date(r.created_at), id: r.id }));
      const ids = page.items.map((r) => r.id);
      const [attempts, history] = await Promise.all([attemptsOf(em, ids), historyOf(em, ids)]);
      return {
        messages: page.items.map((r) => ({
          message: messageToProto(r),
          attempts: attempts.filter((a) => a.message_id === r.id).map(attemptToProto),
          reason: history.filter((h) => h.message_id === r.id && h.state === MessageState.FAILED).at(-1)?.reason ?? "",
        })),
        nextPageToken: page.nextPageToken,
      };
    },

    async retryMessage(req) {
      const row = await deps.db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const found = await mustRead(tx, req.orgId, req.messageId, true);
        if (found.direction !== Direction.OUTGOING || found.state !== MessageState.FAILED) {
          throw failedPrecondition("NOT_FAILED", `message ${found.id} is ${MessageState[found.state]}: only a FAILED message can be retried`);
        }
        const now = new Date();
        // A new round: the chain is walked again from its first service; earlier attempts stay for the record.
        await query(tx, `update ${tableOf(tx, MessageEntity)} set "round" = "round" + 1, "send_at" = ? where "id" = ?`, [now, found.id]);
        await recordMove(tx, { messageId: found.id, orgId: found.org_id, contactId: found.contact_id, state: MessageState.PENDING, reason: "retried", at: now });
        await enqueueSends(deps, tx, [{ messageId: found.id }]);
        return mustRead(tx, req.orgId, req.messageId);
      });
      return { message: messageToProto(row) };
    },
  };
}

function parseCursor(cursor: string): WatchPosition {
  const [txid, id] = cursor.split(".").map(Number);
  if (!Number.isSafeInteger(txid) || !Number.isSafeInteger(id)) throw invalidArgument("cursor", "not a cursor returned by WatchMessages", "INVALID_CURSOR");
  return { txid: txid!, id: id! };
}
