// One row per provider: the next free send slot (a generic cell-rate algorithm), shared by every worker.
import { defineEntity, p } from "@mikro-orm/core";

export const ProviderRateEntity = defineEntity({
  name: "MessagingProviderRate",
  tableName: "messaging_provider_rates",
  properties: {
    providerId: p.uuid().primary(),
    nextAt: p.datetime(),
  },
});
