// NotificationService: a community's notification settings. The proto's rules check fields and permissions;
// the org a community belongs to comes from sys's directory with the caller's own bearer.
import type { ServiceImpl } from "@connectrpc/connect";
import type { NotificationService } from "../../../clients/src/gen/polity/mod/messaging/v1/notifications_pb.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { failedPrecondition, notFound } from "../../../sys/core/errors.js";
import type { MessagingDeps } from "../deps.js";
import { settingsFromProto, settingsToProto } from "./codec.js";
import { loadSettings, saveSettings } from "./settings.js";

export function createNotificationService(deps: MessagingDeps): ServiceImpl<typeof NotificationService> {
  return {
    async getCommunityNotifications(req) {
      return { notifications: settingsToProto(await loadSettings(deps.db.em(), req.communityId.toLowerCase())) };
    },
    async setCommunityNotifications(req, ctx) {
      const settings = settingsFromProto(req.notifications!);
      const community = await deps.directory.getCommunity(settings.communityId, bearerOf(ctx));
      if (!community) throw notFound("community", settings.communityId);
      if (community.archived) throw failedPrecondition("COMMUNITY_ARCHIVED", `community ${settings.communityId} is archived`);
      // Without the voting or disco module there is nothing to start from; nothing of theirs will be followed anyway.
      await saveSettings(deps.db.em(), community.orgId, settings, async () => ({
        activity: deps.voting ? await deps.voting().activityHead(settings.communityId) : 0,
        disco: deps.disco ? await deps.disco().crossingsHead() : 0,
      }));
      return { notifications: settingsToProto(await loadSettings(deps.db.em(), settings.communityId)) };
    },
  };
}
