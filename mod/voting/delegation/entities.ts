// Liquid delegation: at most one delegation per (community, delegator, topic); topic "" is the global scope.
import { defineEntity, p } from "@mikro-orm/core";

export const Delegation = defineEntity({
  name: "Delegation",
  tableName: "delegations",
  uniques: [{ properties: ["communityId", "delegatorId", "topic"] }],
  indexes: [{ properties: ["communityId", "delegateId"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    delegatorId: p.uuid(),
    topic: p.string().length(40),
    delegateId: p.uuid(),
    createdAt: p.datetime(),
  },
});
