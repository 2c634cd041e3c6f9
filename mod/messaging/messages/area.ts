import { MessageService } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { startSender } from "../delivery/worker.js";
import { MessageEntity, MessageHistoryEntity, SendAttemptEntity } from "./entities.js";
import { messageMigrations } from "./migrations/index.js";
import { createMessageService } from "./service.js";

export const messagesArea = defineArea({
  entities: [MessageEntity, MessageHistoryEntity, SendAttemptEntity],
  migrations: messageMigrations,
  services: (deps) => [service(MessageService, createMessageService(deps))],
  work: (deps) => startSender(deps),
});
