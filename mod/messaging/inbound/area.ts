import { defineArea } from "../area.js";
import { InboundEventEntity } from "./entities.js";
import { inboundMigrations } from "./migrations/index.js";

export const inboundArea = defineArea({ entities: [InboundEventEntity], migrations: inboundMigrations });
