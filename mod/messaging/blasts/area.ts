import { BlastService } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { service } from "../../../sys/core/module.js";
import { defineArea } from "../area.js";
import { ProviderRateEntity } from "../rate-limit/entities.js";
import { rateLimitMigrations } from "../rate-limit/migrations/index.js";
import { BlastEntity, BlastRecipientEntity } from "./entities.js";
import { blastMigrations } from "./migrations/index.js";
import { createBlastService } from "./service.js";
import { startBlastWorker } from "./worker.js";

// The provider rate table rides with the blasts area (same owner); the sender in the messages area uses it.
export const blastsArea = defineArea({
  entities: [BlastEntity, BlastRecipientEntity, ProviderRateEntity],
  migrations: [...rateLimitMigrations, ...blastMigrations],
  services: (deps) => [service(BlastService, createBlastService(deps))],
  work: (deps) => startBlastWorker(deps),
});
