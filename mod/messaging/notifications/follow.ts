// Follows one community's activity log from its stored cursor: each followed entry becomes one message per
// member, created in the transaction that moves the cursor past it. The cursor is re-read under lock first, so
// when two workers race, the second finds it moved and creates nothing.
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import type { MessagingDeps } from "../deps.js";
import { createOutgoingMessages, type MessageDraft } from "../messages/store.js";
import { NotificationSettingsEntity } from "./entities.js";
import { eventOf, FOLLOWED_KINDS } from "./events.js";
import { draftsFor, membersToNotify } from "./fan-out.js";
import { settingsOf } from "./settings.js";
import type { NotificationSources } from "./sources.js";

/** Handles the community's next followed entry (or moves past what is not followed); false when caught up. */
export async function followOnce(deps: MessagingDeps, sources: NotificationSources, communityId: string): Promise<boolean> {
  const voting = sources.voting?.();
  if (!voting) return false;
  const em = deps.db.em().fork() as EntityManager;
  const row = await em.findOne(NotificationSettingsEntity, { communityId });
  if (!row?.active) return false;
  const settings = settingsOf(row);
  const cursor = row.activityCursor;
  // One entry per transaction: an event may fan out to every member of a large community.
  const { entries, through } = await voting.activitySince(communityId, cursor, FOLLOWED_KINDS, 1);
  if (through <= cursor) return false;
  let drafts: MessageDraft[] = [];
  const event = entries[0] && (await eventOf(sources, communityId, entries[0]));
  if (event && settings.events[event.kind].enabled) {
    drafts = await draftsFor(deps, em, row.orgId, settings, event, await membersToNotify(deps, em, row.orgId, communityId, settings.roles));
  }
  return deps.db.em().fork().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const locked = await tx.findOne(NotificationSettingsEntity, { communityId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    // Moved by another worker, or switched off (and perhaps on again from a new head) meanwhile.
    if (!locked?.active || locked.activityCursor !== cursor) return false;
    if (drafts.length > 0) await createOutgoingMessages(deps, tx, drafts);
    locked.activityCursor = through;
    await tx.flush();
    return true;
  });
}
