// One event → one draft per member to notify: who from sys's directory (the roles the community chose), their
// language and time zone from the recipient messaging knows them as. Built before any transaction: the
// directory may be a remote call, and nothing here should hold a lock while it waits.
import type { EntityManager } from "../../../sys/core/db.js";
import type { CommunityRole } from "../../../sys/core/ports/directory-port.js";
import { loadRecipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import type { MessageDraft } from "../messages/store.js";
import { createComposer, idempotencyKeyOf, type NotificationEvent } from "./compose.js";
import type { NotificationSettings } from "./settings.js";

// Recipients are looked up this many at a time.
const CONCURRENCY = 16;

export interface MemberToNotify {
  accountId: string;
  language: string;
  timeZone: string;
}

export async function membersToNotify(deps: MessagingDeps, em: EntityManager, orgId: string, communityId: string, roles: string[]): Promise<MemberToNotify[]> {
  const members = await deps.directory.listMembers(communityId, roles as CommunityRole[]);
  const wanted = new Set(roles);
  const chosen = roles.length === 0 ? members : members.filter((m) => wanted.has(m.role));
  const out: MemberToNotify[] = [];
  for (let i = 0; i < chosen.length; i += CONCURRENCY) {
    const batch = await Promise.all(chosen.slice(i, i + CONCURRENCY).map(async (m) => {
      const recipient = await loadRecipient(deps, em, orgId, { member: { communityId, accountId: m.accountId } });
      // No recipient: the member left between the two reads.
      return recipient ? { accountId: m.accountId, language: recipient.language, timeZone: recipient.timeZone } : undefined;
    }));
    for (const member of batch) if (member) out.push(member);
  }
  return out;
}

export async function draftsFor(deps: MessagingDeps, em: EntityManager, orgId: string, settings: NotificationSettings, event: NotificationEvent, members: MemberToNotify[]): Promise<MessageDraft[]> {
  const compose = createComposer(deps, em, orgId, event, settings.events[event.kind].templateId);
  const drafts: MessageDraft[] = [];
  for (const member of members) {
    const content = await compose(member.language, member.timeZone);
    drafts.push({
      orgId,
      recipient: { member: { communityId: event.communityId, accountId: member.accountId } },
      category: settings.category || undefined,
      subject: content.subject,
      text: content.text,
      html: content.html,
      templateId: settings.events[event.kind].templateId || undefined,
      language: content.language ?? (member.language || undefined),
      idempotencyKey: idempotencyKeyOf(event.communityId, event.key, member.accountId),
    });
  }
  return drafts;
}
