import { defineArea } from "../area.js";
import { MessageEntity, MessageHistoryEntity, SendAttemptEntity } from "./entities.js";
import { messageMigrations } from "./migrations/index.js";

export const messagesArea = defineArea({
  entities: [MessageEntity, MessageHistoryEntity, SendAttemptEntity],
  migrations: messageMigrations,
});
