// Every verified inbound event, keyed by (provider, event key) so a provider's redelivery is a no-op. Written in
// the same transaction as the event's effects (see receive.ts).
import { defineEntity, p } from "@mikro-orm/core";

export const InboundEventEntity = defineEntity({
  name: "MessagingInboundEvent",
  tableName: "messaging_inbound_events",
  uniques: [{ properties: ["providerId", "eventKey"] }],
  // The sweep reads unmatched receipts by age; the prune deletes by age alone.
  indexes: [{ properties: ["outcome", "receivedAt"] }, { properties: ["receivedAt"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    providerId: p.uuid(),
    /** "message:<provider message id>" or "status:<provider message id>:<state>". */
    eventKey: p.string().length(300),
    event: p.json().$type<Record<string, unknown>>(),
    body: p.blob(),
    /** What came of it: "applied", "unmatched" (no message or contact found), "ignored". */
    outcome: p.string().length(16),
    messageId: p.uuid().nullable(),
    receivedAt: p.datetime(),
  },
});
