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

export async function outgoingFor(
  deps: MessagingDeps,
  em: EntityManager,
  message: MessageRow,
  recipient: Recipient,
  provider: ResolvedProvider,
  idempotencyKey: string,
): Promise<OutgoingMessage> {
  const address = recipient.addresses.find((a) => a.channel === provider.channel && a.consented && !recipient.optedOut.includes(a.channel));
  // resolveChain offered the provider, so this is a race with an opt-out: the attempt fails permanently.
  if (!address) throw new Error(`the recipient has no usable ${Channel[provider.channel]} address`);
  const outgoing: OutgoingMessage = { messageId: message.id, idempotencyKey, to: address.address, text: message.text };
  if (message.subject) outgoing.subject = message.subject;
  if (message.html && provider.channel === Channel.EMAIL) outgoing.html = message.html;
  const inReplyTo = await answeredProviderId(em, message, provider.id);
  if (inReplyTo) outgoing.inReplyTo = inReplyTo;
  const unsubscribe = provider.channel === Channel.EMAIL ? optional(() => unsubscribeUrl(deps, message.org_id, refOf(message), Channel.EMAIL)) : undefined;
  if (unsubscribe) outgoing.unsubscribeUrl = unsubscribe;
  const callback = optional(() => providerWebhookUrl(deps, provider.id));
  if (callback) outgoing.statusCallbackUrl = callback;
  return outgoing;
}

/** The provider's id of the message answered, when the same provider carried it (threading is per provider). */
async function answeredProviderId(em: EntityManager, message: MessageRow, providerId: string): Promise<string | undefined> {
  if (!message.reply_to_message_id) return undefined;
  const [row] = await query<{ provider_id: string | null; provider_message_id: string | null }>(
    em,
    `select "provider_id", "provider_message_id" from ${tableOf(em, MessageEntity)} where "id" = ? and "org_id" = ?`,
    [message.reply_to_message_id, message.org_id],
  );
  return row?.provider_id === providerId ? (row.provider_message_id ?? undefined) : undefined;
}

// Links need the server's public URL; a worker that has none still sends, without them.
function optional(make: () => string): string | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
