// Rows to protos for MessageService.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Channel, Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import {
  CommunityMemberSchema,
  type Message,
  type MessageHistoryEntry,
  MessageHistoryEntrySchema,
  MessageSchema,
  type SendAttempt,
  SendAttempt_Outcome,
  SendAttemptSchema,
} from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import type { AttemptRow } from "../delivery/attempts.js";
import type { MessageRow } from "../delivery/message-row.js";

export interface HistoryRow {
  id: string | number;
  message_id: string;
  state: number;
  provider_id: string | null;
  reason: string | null;
  at: Date | string;
  txid: string | number;
}

const time = (d: Date | string) => timestampFromDate(new Date(d));

export function messageToProto(row: MessageRow): Message {
  return create(MessageSchema, {
    id: row.id,
    orgId: row.org_id,
    direction: row.direction as Direction,
    state: row.state as MessageState,
    contactId: row.contact_id ?? "",
    member: row.recipient_community_id && row.recipient_account_id ? create(CommunityMemberSchema, { communityId: row.recipient_community_id, accountId: row.recipient_account_id }) : undefined,
    category: row.category ?? "",
    subject: row.subject ?? "",
    text: row.text,
    html: row.html ?? "",
    templateId: row.template_id ?? "",
    language: row.language ?? "",
    sendTime: time(row.send_at),
    idempotencyKey: row.idempotency_key ?? "",
    replyToMessageId: row.reply_to_message_id ?? "",
    blastId: row.blast_id ?? "",
    providerId: row.provider_id ?? "",
    providerMessageId: row.provider_message_id ?? "",
    channel: (row.channel ?? 0) as Channel,
    address: row.address ?? "",
    createdBy: row.created_by ?? "",
    createTime: time(row.created_at),
    updateTime: time(row.updated_at),
  });
}

export function historyToProto(row: HistoryRow): MessageHistoryEntry {
  return create(MessageHistoryEntrySchema, { state: row.state as MessageState, time: time(row.at), providerId: row.provider_id ?? "", reason: row.reason ?? "" });
}

const OUTCOMES = { sent: SendAttempt_Outcome.SENT, transient: SendAttempt_Outcome.TRANSIENT, permanent: SendAttempt_Outcome.PERMANENT } as const;

export function attemptToProto(row: AttemptRow): SendAttempt {
  return create(SendAttemptSchema, {
    providerId: row.provider_id,
    attempt: row.attempt,
    startTime: time(row.started_at),
    finishTime: row.finished_at ? time(row.finished_at) : undefined,
    outcome: row.outcome ? OUTCOMES[row.outcome] : SendAttempt_Outcome.RUNNING,
    reason: row.reason ?? "",
    retryAfterMs: BigInt(row.retry_after_ms ?? 0),
    providerMessageId: row.provider_message_id ?? "",
  });
}
