// CommunityNotifications ⇄ the stored settings.
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type CommunityNotifications, CommunityNotificationsSchema, type EventNotification } from "../../../clients/src/gen/polity/mod/messaging/v1/notifications_pb.js";
import type { EventSettingJson } from "./entities.js";
import { DEFAULT_LEAD_SECONDS, type NotificationSettings } from "./settings.js";

const eventOf = (e: EventNotification | undefined): EventSettingJson => ({ enabled: e?.enabled ?? false, templateId: (e?.templateId ?? "").toLowerCase() });

export function settingsFromProto(n: CommunityNotifications): NotificationSettings {
  const lead = n.closingSoonLead ? Number(n.closingSoonLead.seconds) + Math.round(n.closingSoonLead.nanos / 1e9) : DEFAULT_LEAD_SECONDS;
  return {
    communityId: n.communityId.toLowerCase(),
    events: {
      poll_opened: eventOf(n.pollOpened),
      poll_closing_soon: eventOf(n.pollClosingSoon),
      result_published: eventOf(n.resultPublished),
      process_outcome: eventOf(n.processOutcome),
      campaign_threshold_reached: eventOf(n.campaignThresholdReached),
    },
    closingSoonLeadSeconds: lead,
    category: n.category,
    roles: [...n.roles].sort(),
  };
}

export function settingsToProto(s: NotificationSettings): CommunityNotifications {
  return create(CommunityNotificationsSchema, {
    communityId: s.communityId,
    pollOpened: s.events.poll_opened,
    pollClosingSoon: s.events.poll_closing_soon,
    closingSoonLead: durationFromMs(s.closingSoonLeadSeconds * 1000),
    resultPublished: s.events.result_published,
    processOutcome: s.events.process_outcome,
    campaignThresholdReached: s.events.campaign_threshold_reached,
    category: s.category,
    roles: s.roles,
    updateTime: s.updatedAt ? timestampFromDate(s.updatedAt) : undefined,
  });
}
