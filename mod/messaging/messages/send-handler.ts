// SendMessage: the recipient must exist in the org; content is plain text with optional sanitised HTML (or
// Markdown rendered to it), or a template rendered now in the recipient's language; the send time is an
// instant or a wall time in the recipient's zone, moved past quiet hours. The message, its history and its
// send job are written in one transaction. An idempotency key already used in the org returns that message.
import type { HandlerContext } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SendMessageRequest, SendMessageResponseSchema } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { bearerOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { loadRecipient, type Recipient, type RecipientRef } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { readMessage } from "../delivery/message-row.js";
import { sendTimeFor } from "../schedule/send-time.js";
import { renderTemplate } from "../templates/render.js";
import { messageToProto } from "./convert.js";
import { MessageEntity } from "./entities.js";
import { markdownToHtml, sanitiseHtml } from "./html-body.js";
import { createOutgoingMessages, type MessageDraft } from "./store.js";

export function sendMessageHandler(deps: MessagingDeps) {
  return async (req: SendMessageRequest, ctx: HandlerContext): Promise<MessageInitShape<typeof SendMessageResponseSchema>> => {
    const caller = requirePrincipal(ctx);
    return deps.db.em().transactional(async (txem) => {
      const tx = txem as EntityManager;
      if (req.idempotencyKey) {
        // Two requests with one key wait for each other here, so the second finds the first's message.
        await query(tx, `select pg_advisory_xact_lock(hashtext(?))`, [`messaging-send/${req.orgId}/${req.idempotencyKey}`]);
        const earlier = await byKey(tx, req.orgId, req.idempotencyKey);
        if (earlier) return { message: earlier, created: false };
      }
      const ref = refOf(req);
      // As the caller: in a split deployment sys answers with their permissions, not the mod tier's.
      const recipient = await loadRecipient(deps, tx, req.orgId, ref, bearerOf(ctx));
      if (!recipient) throw notFound("recipient", ref.contactId ?? `${ref.member?.communityId}/${ref.member?.accountId}`);
      if (req.replyToMessageId && !(await readMessage(tx, req.replyToMessageId, { orgId: req.orgId }))) throw notFound("message", req.replyToMessageId);

      const draft: MessageDraft = {
        orgId: req.orgId, recipient: ref, category: req.category || undefined, idempotencyKey: req.idempotencyKey || undefined,
        replyToMessageId: req.replyToMessageId || undefined, createdBy: caller.accountId, sendAt: sendAtOf(deps, req, recipient),
        ...(await contentOf(deps, tx, req, recipient)),
      };
      const [id] = await createOutgoingMessages(deps, tx, [draft]);
      const row = (await readMessage(tx, id!))!;
      return { message: messageToProto(row), created: true };
    });
  };
}

function refOf(req: SendMessageRequest): RecipientRef {
  const r = req.recipient!.recipient;
  if (r.case === "contactId") return { contactId: r.value };
  if (r.case === "member") return { member: { communityId: r.value.communityId, accountId: r.value.accountId } };
  return {};
}

async function byKey(em: EntityManager, orgId: string, key: string) {
  const [found] = await query<{ id: string }>(em, `select "id" from ${tableOf(em, MessageEntity)} where "org_id" = ? and "idempotency_key" = ?`, [orgId, key]);
  const row = found && (await readMessage(em, found.id));
  return row ? messageToProto(row) : undefined;
}

async function contentOf(deps: MessagingDeps, em: EntityManager, req: SendMessageRequest, recipient: Recipient): Promise<Pick<MessageDraft, "subject" | "text" | "html" | "templateId" | "language">> {
  const content = req.content;
  if (content.case === "template") {
    const t = content.value;
    const out = await renderTemplate(deps, em, req.orgId, t.templateId, t.language || recipient.language, { name: recipient.name, ...t.variables });
    return { subject: out.subject, text: out.text, html: out.html, templateId: t.templateId, language: out.language };
  }
  const m = content.value!;
  const html = m.body.case === "html" ? sanitiseHtml(m.body.value) : m.body.case === "markdown" ? markdownToHtml(m.body.value) : undefined;
  return { subject: m.subject || undefined, text: m.text, html };
}

function sendAtOf(deps: MessagingDeps, req: SendMessageRequest, recipient: Recipient): Date | undefined {
  const at = req.schedule.case === "sendTime" ? timestampDate(req.schedule.value) : undefined;
  const localTime = req.schedule.case === "localTime" ? req.schedule.value : undefined;
  const quietHours = req.quietHours && req.quietHours.start !== req.quietHours.end ? { start: req.quietHours.start, end: req.quietHours.end } : undefined;
  if (!at && !localTime && !quietHours) return undefined;
  return sendTimeFor(deps.time, { at, localTime, timeZone: recipient.timeZone, quietHours, now: new Date() });
}
