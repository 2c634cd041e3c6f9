// Inbound: replies and delivery receipts posted by providers to /api/messaging/hooks/{provider_id}.
import { defineArea } from "../area.js";
import { InboundEventEntity } from "./entities.js";
import { inboundMigrations } from "./migrations/index.js";
import { createInboundRoutes } from "./routes.js";
import { startUnmatchedSweep } from "./unmatched-sweep.js";

export const inboundArea = defineArea({
  entities: [InboundEventEntity],
  migrations: inboundMigrations,
  routes: createInboundRoutes,
  work: async (deps) => startUnmatchedSweep(deps),
});
