// A community's notification settings: read with their defaults (everything off, 24 h lead), and replaced.
// Turning them on starts the cursor at the activity log's head, so nothing that happened before is sent.
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import { type EventSettingsJson, type NotificationEventName, NotificationSettingsEntity, type NotificationSettingsRow } from "./entities.js";

export const NOTIFICATION_EVENTS: NotificationEventName[] = ["poll_opened", "poll_closing_soon", "result_published", "process_outcome", "campaign_threshold_reached"];
export const DEFAULT_LEAD_SECONDS = 24 * 3600;

export interface NotificationSettings {
  communityId: string;
  events: EventSettingsJson;
  closingSoonLeadSeconds: number;
  category: string;
  roles: string[];
  updatedAt?: Date;
}

export const defaultSettings = (communityId: string): NotificationSettings => ({
  communityId,
  events: Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, { enabled: false, templateId: "" }])) as EventSettingsJson,
  closingSoonLeadSeconds: DEFAULT_LEAD_SECONDS,
  category: "",
  roles: [],
});

export const isActive = (s: Pick<NotificationSettings, "events">): boolean => NOTIFICATION_EVENTS.some((e) => s.events[e]?.enabled);

export function settingsOf(row: NotificationSettingsRow): NotificationSettings {
  const defaults = defaultSettings(row.communityId);
  return {
    communityId: row.communityId,
    events: { ...defaults.events, ...row.events },
    closingSoonLeadSeconds: row.closingSoonLeadSeconds,
    category: row.category,
    roles: row.roles,
    updatedAt: row.updatedAt,
  };
}

export async function loadSettings(em: EntityManager, communityId: string): Promise<NotificationSettings> {
  const row = await em.fork().findOne(NotificationSettingsEntity, { communityId });
  return row ? settingsOf(row) : defaultSettings(communityId);
}

/** Where the followed sources stand now: the activity log's sequence and the campaign crossings'. */
export interface Heads {
  activity: number;
  disco: number;
}

/**
 * Replaces the settings. `heads` gives the followed sources' current sequences, asked only when notifications
 * go from off to on (the cursors then skip the past); while they stay on the cursors keep their place.
 */
export async function saveSettings(em: EntityManager, orgId: string, settings: NotificationSettings, heads: () => Promise<Heads>): Promise<void> {
  const active = isActive(settings);
  // Read before the transaction: the head is another module's read on its own connection.
  const before = await em.fork().findOne(NotificationSettingsEntity, { communityId: settings.communityId });
  const startAt = active && !before?.active ? await heads() : undefined;
  await em.fork().transactional(async (tx) => {
    const row = await tx.findOne(NotificationSettingsEntity, { communityId: settings.communityId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const fields = { orgId, events: settings.events, closingSoonLeadSeconds: settings.closingSoonLeadSeconds, category: settings.category, roles: settings.roles, active, updatedAt: new Date() };
    if (!row) {
      tx.create(NotificationSettingsEntity, { communityId: settings.communityId, ...fields, activityCursor: startAt?.activity ?? 0, discoCursor: startAt?.disco ?? 0 });
    } else if (startAt !== undefined && !row.active) {
      tx.assign(row, { ...fields, activityCursor: startAt.activity, discoCursor: startAt.disco });
    } else {
      // Still on, or switched on by someone else since the read above: their cursors stand.
      tx.assign(row, fields);
    }
  });
}
