// One event → one draft per member to notify: who from sys's directory (the roles the community chose), their
// language and time zone from the recipient messaging knows them as. Built before any transaction: the
// directory may be a remote call, and nothing here should hold a lock while it waits.
import type { EntityManager } from "../../../sys/core/db.js";
import type { CommunityRole } from "../../../sys/core/ports/directory-port.js";
import { selectRecipients } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import type { MessageDraft } from "../messages/store.js";
import { createComposer, idempotencyKeyOf, type NotificationEvent } from "./compose.js";
import type { NotificationSettings } from "./settings.js";

// Recipients are read this many at a time.
const PAGE = 5000;

export interface MemberToNotify {
  accountId: string;
  language: string;
  timeZone: string;
}

/**
 * The members holding one of `roles` (every member when empty) as messaging knows them: pages of recipients of
 * the community (its contacts first, skipped here; then its members, read in batches).
 */
export async function membersToNotify(deps: MessagingDeps, em: EntityManager, orgId: string, communityId: string, roles: string[]): Promise<MemberToNotify[]> {
  const members = await deps.directory.listMembers(communityId, roles as CommunityRole[]);
  const wanted = new Set(roles);
  const chosen = new Set((roles.length === 0 ? members : members.filter((m) => wanted.has(m.role))).map((m) => m.accountId));
  const out: MemberToNotify[] = [];
  let after: string | undefined;
  do {
    const page = await selectRecipients(deps, em, { orgId, communityId }, after, PAGE);
    for (const r of page.recipients) {
      const accountId = r.ref.member?.accountId;
      if (accountId && chosen.has(accountId)) out.push({ accountId, language: r.language, timeZone: r.timeZone });
    }
    after = page.next;
  } while (after);
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
