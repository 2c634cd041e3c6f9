// What a verified inbound event changes, inside the transaction that records it: an incoming message linked
// to its sender and to the message it answers (which becomes REPLIED), an SMS STOP/START keyword applied to
// the sender's consent, or a delivery receipt moving an outgoing message forward.
import { Channel, Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { setContactConsent } from "../contacts/consent.js";
import { ContactAddressEntity } from "../contacts/entities.js";
import { findRecipientByAddress, type Recipient, recordOptOut } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { MessageEntity } from "../messages/entities.js";
import { createIncomingMessage, findByProviderMessageId, transition } from "../messages/store.js";
import type { ResolvedProvider } from "../providers/chain.js";
import type { InboundEvent } from "../services/sdk/define-provider.js";
import { INBOUND_START_SOURCE, INBOUND_STOP_SOURCE, RECEIPT_STATES, type SmsKeyword, smsKeyword } from "./keywords.js";

const REPLY_WINDOW_MS = 7 * 24 * 3600 * 1000;

export interface EffectOutcome {
  outcome: "applied" | "unmatched";
  messageId?: string;
}

export async function applyInboundEvent(deps: MessagingDeps, tx: EntityManager, provider: ResolvedProvider, event: InboundEvent): Promise<EffectOutcome> {
  return event.kind === "message" ? applyMessage(deps, tx, provider, event) : applyStatus(deps, tx, provider, event);
}

async function applyMessage(deps: MessagingDeps, tx: EntityManager, provider: ResolvedProvider, event: Extract<InboundEvent, { kind: "message" }>): Promise<EffectOutcome> {
  const recipient = await findRecipientByAddress(deps, tx, provider.orgId, provider.channel, event.from);
  const keyword = provider.channel === Channel.SMS ? smsKeyword(event.text) : undefined;
  if (recipient && keyword) await applyKeyword(deps, tx, recipient, keyword);
  // A keyword is an instruction, not an answer: it does not mark what it follows REPLIED.
  const replyTo = keyword ? undefined : await answeredMessage(tx, provider, event, recipient);
  const { id, created } = await createIncomingMessage(deps, tx, {
    orgId: provider.orgId, recipient: recipient?.ref, from: event.from, providerId: provider.id,
    providerMessageId: event.providerMessageId, text: event.text, replyToMessageId: replyTo?.id,
  });
  if (created && replyTo) await transition(deps, tx, replyTo.id, MessageState.REPLIED, { providerId: provider.id, at: event.receivedAt ?? new Date() });
  if (created && recipient?.communityId) await announceReceived(deps, tx, recipient, provider, id, replyTo?.id);
  return { outcome: "applied", messageId: id };
}

/**
 * The outgoing message this one answers: the one the provider names (e-mail's In-Reply-To, a chat's reply), else —
 * SMS and most chats thread nothing — the latest message this provider carried to the sender in the last week.
 */
async function answeredMessage(tx: EntityManager, provider: ResolvedProvider, event: Extract<InboundEvent, { kind: "message" }>, recipient: Recipient | undefined): Promise<{ id: string } | undefined> {
  if (event.inReplyTo) {
    const named = await findByProviderMessageId(tx, provider.id, event.inReplyTo);
    return named?.orgId === provider.orgId ? named : undefined;
  }
  if (!recipient) return undefined;
  const [latest] = await query<{ id: string }>(tx,
    `select id from ${tableOf(tx, MessageEntity)} where org_id = ? and provider_id = ? and direction = ? and state in (?, ?, ?, ?, ?)
       and ${recipient.contactId ? "contact_id = ?" : "recipient_account_id = ?"} and created_at > ? order by created_at desc limit 1`,
    [provider.orgId, provider.id, Direction.OUTGOING, MessageState.SENT, MessageState.DELIVERED_SERVICE, MessageState.DELIVERED_USER, MessageState.READ, MessageState.REPLIED,
      recipient.contactId ?? recipient.accountId ?? "", new Date(Date.now() - REPLY_WINDOW_MS)]);
  return latest;
}

async function applyKeyword(deps: MessagingDeps, tx: EntityManager, recipient: Recipient, keyword: SmsKeyword): Promise<void> {
  if (keyword === "stop") await recordOptOut(deps, tx, recipient.orgId, recipient.ref, Channel.SMS, INBOUND_STOP_SOURCE);
  // START re-grants only what an inbound STOP took: an opt-out from elsewhere (an admin, an import) stands.
  if (keyword === "start" && recipient.contactId) {
    const [address] = await query<{ consent_source: string; opted_out_at: Date | null }>(tx,
      `select consent_source, opted_out_at from ${tableOf(tx, ContactAddressEntity)} where org_id = ? and contact_id = ? and channel = ?`,
      [recipient.orgId, recipient.contactId, Channel.SMS]);
    if (address?.opted_out_at && address.consent_source === INBOUND_STOP_SOURCE) {
      await setContactConsent(tx, recipient.orgId, recipient.contactId, Channel.SMS, true, INBOUND_START_SOURCE, new Date());
    }
  }
}

async function applyStatus(deps: MessagingDeps, tx: EntityManager, provider: ResolvedProvider, event: Extract<InboundEvent, { kind: "status" }>): Promise<EffectOutcome> {
  const message = await findByProviderMessageId(tx, provider.id, event.providerMessageId);
  if (!message || message.orgId !== provider.orgId) return { outcome: "unmatched" };
  // Forward-only: a receipt arriving after a later state (READ before DELIVERED_USER) changes nothing.
  await transition(deps, tx, message.id, RECEIPT_STATES[event.state], { providerId: provider.id, reason: event.reason });
  return { outcome: "applied", messageId: message.id };
}

/**
 * Drivers of the recipient's community follow received messages as governance events
 * (`messaging.message_received`). The event names the message, not its text: reading that stays with
 * `messaging.message.read`, while the event stream is open to the community's moderators.
 */
async function announceReceived(deps: MessagingDeps, tx: EntityManager, recipient: Recipient, provider: ResolvedProvider, messageId: string, replyToId: string | undefined): Promise<void> {
  const governance = deps.governance?.();
  if (!governance || !recipient.communityId) return;
  await governance.appendModuleEvents(tx, recipient.communityId, "messaging", [{
    type: "message_received",
    data: {
      message_id: messageId, org_id: recipient.orgId, channel: Channel[provider.channel].toLowerCase(), provider_id: provider.id,
      ...(recipient.contactId ? { contact_id: recipient.contactId } : {}), ...(recipient.accountId ? { account_id: recipient.accountId } : {}),
      ...(replyToId ? { in_reply_to_message_id: replyToId } : {}),
    },
  }]);
}
