// What a provider is handed for a message: the recipient's address on the provider's channel (consented and
// not opted out — resolveChain only offers such providers, and this checks again), the content, the provider's
// id of the message answered, an RFC 8058 unsubscribe link for email, and the provider's status callback URL.
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { type Recipient, unsubscribeUrl } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { MessageEntity } from "../messages/entities.js";
import { providerWebhookUrl, type ResolvedProvider } from "../providers/chain.js";
import type { OutgoingMessage } from "../services/sdk/define-provider.js";
import { type MessageRow, refOf } from "./message-row.js";

/** What `provider` is handed for `message`; throws when the recipient has no usable address on its channel. */
export function outgoingFor(
  deps: MessagingDeps,
  message: MessageRow,
  recipient: Recipient,
  provider: ResolvedProvider,
  idempotencyKey: string,
  answered: Map<string, AnsweredRow>,
): OutgoingMessage {
  const address = recipient.addresses.find((a) => a.channel === provider.channel && a.consented && !recipient.optedOut.includes(a.channel));
  // resolveChain offered the provider, so this is a race with an opt-out: the attempt fails permanently.
  if (!address) throw new Error(`the recipient has no usable ${Channel[provider.channel]} address`);
  const outgoing: OutgoingMessage = { messageId: message.id, idempotencyKey, to: address.address, text: message.text };
  if (message.subject) outgoing.subject = message.subject;
  if (message.html && provider.channel === Channel.EMAIL) outgoing.html = message.html;
  // Threading is per provider: the provider's id of the message answered, when the same provider carried it.
  const replied = message.reply_to_message_id ? answered.get(message.reply_to_message_id) : undefined;
  if (replied && replied.org_id === message.org_id && replied.provider_id === provider.id && replied.provider_message_id) outgoing.inReplyTo = replied.provider_message_id;
  const unsubscribe = provider.channel === Channel.EMAIL ? optional(() => unsubscribeUrl(deps, message.org_id, refOf(message), Channel.EMAIL)) : undefined;
  if (unsubscribe) outgoing.unsubscribeUrl = unsubscribe;
  const callback = optional(() => providerWebhookUrl(deps, provider.id));
  if (callback) outgoing.statusCallbackUrl = callback;
  return outgoing;
}

export interface AnsweredRow {
  id: string;
  org_id: string;
  provider_id: string | null;
  provider_message_id: string | null;
}

/** The messages the batch's messages answer, in one query. */
export async function answeredMessages(em: EntityManager, messages: MessageRow[]): Promise<Map<string, AnsweredRow>> {
  const ids = [...new Set(messages.flatMap((m) => (m.reply_to_message_id ? [m.reply_to_message_id] : [])))];
  if (ids.length === 0) return new Map();
  const rows = await query<AnsweredRow>(em, `select "id", "org_id", "provider_id", "provider_message_id" from ${tableOf(em, MessageEntity)} where "id" in (?)`, [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

// Links need the server's public URL; a worker that has none still sends, without them.
function optional(make: () => string): string | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
