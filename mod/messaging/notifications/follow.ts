// Follows one community's sources from their stored cursors — the activity log (voting, governance) and the
// disco campaigns' threshold crossings — one event at a time: each followed event becomes one message per
// member, created in the transaction that moves that source's cursor past it. The cursor is re-read under lock
// first, so when two workers race, the second finds it moved and creates nothing.
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import type { MessagingDeps } from "../deps.js";
import { createOutgoingMessages, type MessageDraft } from "../messages/store.js";
import type { NotificationEvent } from "./compose.js";
import { NotificationSettingsEntity, type NotificationSettingsRow } from "./entities.js";
import { eventOf, FOLLOWED_KINDS } from "./events.js";
import { draftsFor, membersToNotify } from "./fan-out.js";
import { settingsOf } from "./settings.js";
import type { NotificationSources } from "./sources.js";

type CursorField = "activityCursor" | "discoCursor";

/** The source's next event after `cursor` (undefined when it is not one to announce) and how far that read. */
type NextEvent = (communityId: string, cursor: number) => Promise<{ event?: NotificationEvent; through: number }>;

/** Handles the community's next event of one source (or moves past what is not followed); false when caught up. */
async function followSource(deps: MessagingDeps, communityId: string, field: CursorField, next: NextEvent): Promise<boolean> {
  const em = deps.db.em().fork() as EntityManager;
  const row: NotificationSettingsRow | null = await em.findOne(NotificationSettingsEntity, { communityId });
  if (!row?.active) return false;
  const settings = settingsOf(row);
  const cursor = row[field];
  const { event, through } = await next(communityId, cursor);
  if (through <= cursor) return false;
  let drafts: MessageDraft[] = [];
  if (event && settings.events[event.kind].enabled) {
    drafts = await draftsFor(deps, em, row.orgId, settings, event, await membersToNotify(deps, em, row.orgId, communityId, settings.roles));
  }
  return deps.db.em().fork().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const locked = await tx.findOne(NotificationSettingsEntity, { communityId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    // Moved by another worker, or switched off (and perhaps on again from a new head) meanwhile.
    if (!locked?.active || locked[field] !== cursor) return false;
    if (drafts.length > 0) await createOutgoingMessages(deps, tx, drafts);
    locked[field] = through;
    await tx.flush();
    return true;
  });
}

/** Handles the community's next followed activity-log entry; false when caught up. */
export async function followOnce(deps: MessagingDeps, sources: NotificationSources, communityId: string): Promise<boolean> {
  const voting = sources.voting?.();
  if (!voting) return false;
  return followSource(deps, communityId, "activityCursor", async (community, cursor) => {
    // One entry per transaction: an event may fan out to every member of a large community.
    const { entries, through } = await voting.activitySince(community, cursor, FOLLOWED_KINDS, 1);
    return { event: entries[0] && (await eventOf(sources, community, entries[0])), through };
  });
}

/** Handles the community's next campaign threshold crossing; false when caught up (or without disco). */
export async function followCrossingsOnce(deps: MessagingDeps, sources: NotificationSources, communityId: string): Promise<boolean> {
  const disco = sources.disco?.();
  if (!disco) return false;
  return followSource(deps, communityId, "discoCursor", async (community, cursor) => {
    const { crossings, through } = await disco.crossingsSince(community, cursor, 1);
    const crossing = crossings[0];
    // Keyed by the crossing itself (a campaign's threshold is crossed once), whatever its place in the sequence.
    const event = crossing && { kind: "campaign_threshold_reached" as const, key: `crossed:${crossing.campaignId}:${crossing.thresholdId}`, communityId: community, crossing };
    return { event, through };
  });
}
