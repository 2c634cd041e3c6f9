// Notifications: a community's voting and governance events (a poll opened or closing soon, a result, a
// process's outcome) sent to its members as messages, per the community's settings. The voting and
// governance modules never call messaging: the worker tier follows what they commit.
import { NotificationService } from "../../../clients/src/gen/polity/mod/messaging/v1/notifications_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { NotificationSentEntity, NotificationSettingsEntity } from "./entities.js";
import { notificationMigrations } from "./migrations/index.js";
import { createNotificationService } from "./service.js";
import { createNotificationsWorker } from "./worker.js";

// How often the worker looks at the communities' activity logs.
const POLL_MS = 2000;

export const notificationsArea = defineArea({
  entities: [NotificationSettingsEntity, NotificationSentEntity],
  migrations: notificationMigrations,
  services: (deps) => [service(NotificationService, createNotificationService(deps))],
  async work(deps) {
    const worker = createNotificationsWorker(deps, deps, { pollMs: POLL_MS });
    return () => worker.stop();
  },
});
