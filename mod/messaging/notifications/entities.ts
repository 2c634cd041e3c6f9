// A community's notification settings with the cursors of the activity log and campaign crossings they follow, and the reminders
// already sent (a poll closing soon is announced once, whichever worker gets there first).
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

export interface EventSettingJson {
  enabled: boolean;
  /** "" = the built-in plain text. */
  templateId: string;
}

export type NotificationEventName = "poll_opened" | "poll_closing_soon" | "result_published" | "process_outcome" | "campaign_threshold_reached";
export type EventSettingsJson = Record<NotificationEventName, EventSettingJson>;

export const NotificationSettingsEntity = defineEntity({
  name: "MessagingNotificationSettings",
  tableName: "messaging_notification_settings",
  properties: {
    communityId: p.uuid().primary(),
    orgId: p.uuid(),
    events: p.json().$type<EventSettingsJson>(),
    closingSoonLeadSeconds: p.integer(),
    category: p.string().length(64),
    // Empty: every member.
    roles: p.array().$type<string[]>(),
    // Whether any event is on: the worker follows only these communities.
    active: p.boolean().index(),
    // The last activity-log sequence turned into messages (or skipped); moved in the transaction that creates them.
    activityCursor: p.bigint("number"),
    // The last disco campaign crossing sequence turned into messages (or skipped); moved likewise.
    discoCursor: p.bigint("number"),
    updatedAt: p.datetime(),
  },
});
export type NotificationSettingsRow = InferEntity<typeof NotificationSettingsEntity>;

export const NotificationSentEntity = defineEntity({
  name: "MessagingNotificationSent",
  tableName: "messaging_notifications_sent",
  properties: {
    communityId: p.uuid().primary(),
    // e.g. "closing:<poll id>".
    key: p.string().length(100).primary(),
    createdAt: p.datetime(),
  },
});
